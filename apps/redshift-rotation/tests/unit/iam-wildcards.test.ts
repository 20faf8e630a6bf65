/**
 * Every app's SAM template (apps/*\/template.yaml), not only this one: an IAM statement whose Resource holds a
 * `*` must be on the reviewed list below, which says why the API needs it. A new wildcard fails here until
 * someone reviews it and writes its reason; a listed wildcard that disappeared fails too, so the list stays true.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const appsDir = join(import.meta.dirname, '../../..');

/** `<app>/<Sid>` -> the reason a `*` is the narrowest resource the API takes. */
const REVIEWED_WILDCARDS: Record<string, string> = {
  'redshift-rotation/FollowOwnStatements':
    'redshift-data:DescribeStatement and GetStatementResult have no resource type; the statement-owner-iam-userid condition limits them to the role session own statements',
  'redshift-rotation/ListOwnStatements':
    'redshift-data:ListStatements has no resource type; granted only without direct logins, and limited to the role session own statements',
  'redshift-rotation/LambdaNetworkInterfaces':
    'Lambda manages the VPC network interfaces in subnets it picks, and ec2:DescribeNetworkInterfaces has no resource type',
  'elasticache-rotation/GeneratePasswords':
    'secretsmanager:GetRandomPassword has no resource type (it reads no secret)',
  'postgres-rotation/GeneratePasswords':
    'secretsmanager:GetRandomPassword has no resource type (it reads no secret)',
};

interface Found {
  key: string;
  resource: string;
}

/** Collects every string under a Resource, inside Fn::Sub, Fn::Join, lists and Fn::If branches alike. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** Every IAM statement (an object with Effect and Resource), wherever the template puts it. */
function wildcardResources(app: string, node: unknown, found: Found[] = []): Found[] {
  if (Array.isArray(node)) {
    for (const item of node) wildcardResources(app, item, found);
  } else if (node && typeof node === 'object') {
    const statement = node as { Effect?: unknown; Resource?: unknown; Sid?: unknown };
    if (statement.Effect !== undefined && statement.Resource !== undefined) {
      for (const resource of strings(statement.Resource).filter((text) => text.includes('*'))) {
        found.push({ key: `${app}/${String(statement.Sid ?? '(no Sid)')}`, resource });
      }
    }
    for (const child of Object.values(node)) wildcardResources(app, child, found);
  }
  return found;
}

function templates(): Array<{ app: string; document: unknown }> {
  return readdirSync(appsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      try {
        const text = readFileSync(join(appsDir, entry.name, 'template.yaml'), 'utf8');
        return [{ app: entry.name, document: parse(text) as unknown }];
      } catch {
        return [];
      }
    });
}

describe('IAM wildcards in every app template', () => {
  const found = templates().flatMap(({ app, document }) => wildcardResources(app, document));

  it('reads the templates of the Lambda apps', () => {
    expect(templates().map((t) => t.app)).toEqual(
      expect.arrayContaining(['elasticache-rotation', 'postgres-rotation', 'redshift-rotation']),
    );
  });

  it('has no wildcard resource that is not on the reviewed list', () => {
    const unreviewed = found.filter((entry) => !(entry.key in REVIEWED_WILDCARDS));
    expect(unreviewed).toEqual([]);
  });

  it('lists no wildcard that is gone', () => {
    const present = new Set(found.map((entry) => entry.key));
    expect(Object.keys(REVIEWED_WILDCARDS).filter((key) => !present.has(key))).toEqual([]);
  });

  it('gives no parameter a wildcard default (a Ref or Fn::Sub in a Resource would carry it in)', () => {
    const defaults = templates().flatMap(({ app, document }) =>
      Object.entries((document as { Parameters?: Record<string, { Default?: unknown }> }).Parameters ?? {})
        .filter(([, parameter]) => strings(parameter.Default).some((text) => text.includes('*')))
        .map(([name]) => `${app}/${name}`),
    );
    expect(defaults).toEqual([]);
  });

  it('catches a wildcard hidden in an Fn::Sub or an Fn::If branch (the detector can fail)', () => {
    const sample = {
      Statement: [
        {
          'Fn::If': ['C', { Sid: 'Hidden', Effect: 'Allow', Resource: { 'Fn::Sub': 'arn:aws:x:::y/*' } }, {}],
        },
        { Sid: 'Named', Effect: 'Allow', Resource: [{ Ref: 'SomeArn' }] },
      ],
    };
    expect(wildcardResources('sample', sample)).toEqual([
      { key: 'sample/Hidden', resource: 'arn:aws:x:::y/*' },
    ]);
  });
});
