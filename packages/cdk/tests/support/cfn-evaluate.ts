/**
 * Just enough CloudFormation to compare IAM statements: evaluates a template's conditions for given
 * parameter values and resolves Ref, Fn::Sub, Fn::Join, Fn::Split, Fn::If, Fn::Select and Fn::GetAtt (to a
 * placeholder), dropping AWS::NoValue. Unknown intrinsics fail loudly rather than compare wrongly.
 */
export interface Pseudo {
  partition: string;
  region: string;
  account: string;
  urlSuffix: string;
}

type Json = unknown;
const NO_VALUE = Symbol('AWS::NoValue');

export class TemplateEvaluator {
  readonly #template: Record<string, Json>;
  readonly #parameters: Record<string, Json>;
  readonly #pseudo: Pseudo;
  readonly #conditions = new Map<string, boolean>();

  constructor(template: Record<string, Json>, parameters: Record<string, Json>, pseudo: Pseudo) {
    this.#template = template;
    this.#pseudo = pseudo;
    const declared = (template.Parameters ?? {}) as Record<string, { Default?: Json; Type?: string }>;
    const values: Record<string, Json> = {};
    for (const [name, declaration] of Object.entries(declared)) {
      const value = name in parameters ? parameters[name] : declaration.Default;
      if (value === undefined) throw new Error(`parameter ${name} has no value and no default`);
      values[name] =
        declaration.Type === 'CommaDelimitedList' && typeof value === 'string'
          ? value === ''
            ? ['']
            : value.split(',')
          : value;
    }
    for (const name of Object.keys(parameters)) {
      if (!(name in declared)) throw new Error(`the template has no parameter ${name}`);
    }
    this.#parameters = values;
  }

  condition(name: string): boolean {
    const known = this.#conditions.get(name);
    if (known !== undefined) return known;
    const definition = (this.#template.Conditions as Record<string, Json> | undefined)?.[name];
    if (definition === undefined) throw new Error(`unknown condition ${name}`);
    const value = this.#truth(definition);
    this.#conditions.set(name, value);
    return value;
  }

  /**
   * The AssertDescription of every template Rule assertion that fails for these parameters: what
   * CloudFormation would refuse the stack with before creating anything.
   */
  failedAssertions(): string[] {
    const rules = (this.#template.Rules ?? {}) as Record<
      string,
      { RuleCondition?: Json; Assertions: Array<{ Assert: Json; AssertDescription?: string }> }
    >;
    return Object.entries(rules).flatMap(([name, rule]) => {
      if (rule.RuleCondition !== undefined && !this.#truth(rule.RuleCondition)) return [];
      return rule.Assertions.filter((assertion) => !this.#truth(assertion.Assert)).map(
        (assertion) => `${name}: ${assertion.AssertDescription ?? '(no description)'}`,
      );
    });
  }

  /** The resource's properties with every intrinsic resolved, or undefined when its Condition is false. */
  resource(logicalId: string): Record<string, Json> | undefined {
    const resource = (this.#template.Resources as Record<string, { Condition?: string; Properties?: Json }>)[
      logicalId
    ];
    if (!resource) throw new Error(`unknown resource ${logicalId}`);
    if (resource.Condition && !this.condition(resource.Condition)) return undefined;
    return this.resolve(resource.Properties ?? {}) as Record<string, Json>;
  }

  resourceIds(): string[] {
    return Object.keys(this.#template.Resources as Record<string, Json>);
  }

  resourceType(logicalId: string): string {
    return (this.#template.Resources as Record<string, { Type: string }>)[logicalId]!.Type;
  }

  resolve(node: Json): Json {
    const value = this.#resolve(node);
    return value === NO_VALUE ? undefined : value;
  }

  #truth(node: Json): boolean {
    const entry = node as Record<string, Json>;
    if ('Condition' in entry) return this.condition(entry.Condition as string);
    if ('Fn::Equals' in entry) {
      const [left, right] = (entry['Fn::Equals'] as Json[]).map((item) => this.#resolve(item));
      return JSON.stringify(left) === JSON.stringify(right);
    }
    if ('Fn::Not' in entry) return !this.#truth((entry['Fn::Not'] as Json[])[0]);
    if ('Fn::And' in entry) return (entry['Fn::And'] as Json[]).every((item) => this.#truth(item));
    if ('Fn::Or' in entry) return (entry['Fn::Or'] as Json[]).some((item) => this.#truth(item));
    if ('Fn::EachMemberEquals' in entry) {
      // A rule function: every member of a list parameter equals the value.
      const [list, value] = (entry['Fn::EachMemberEquals'] as Json[]).map((item) => this.#resolve(item));
      return (list as Json[]).every((member) => member === value);
    }
    throw new Error(`unsupported condition ${JSON.stringify(node)}`);
  }

  #ref(name: string): Json {
    const pseudo: Record<string, string> = {
      'AWS::Partition': this.#pseudo.partition,
      'AWS::Region': this.#pseudo.region,
      'AWS::AccountId': this.#pseudo.account,
      'AWS::URLSuffix': this.#pseudo.urlSuffix,
    };
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in pseudo) return pseudo[name];
    if (name in this.#parameters) return this.#parameters[name];
    if (name in (this.#template.Resources as Record<string, Json>)) return `<${name}>`;
    throw new Error(`unknown Ref ${name}`);
  }

  #sub(text: string, variables: Record<string, Json> = {}): string {
    return text.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
      if (name in variables) return String(this.#resolve(variables[name]));
      if (name.includes('.')) return `<${name}>`;
      const value = this.#ref(name);
      if (Array.isArray(value)) throw new Error(`Fn::Sub of the list ${name}`);
      return String(value);
    });
  }

  #resolve(node: Json): Json | typeof NO_VALUE {
    if (Array.isArray(node)) {
      return node.map((item) => this.#resolve(item)).filter((item) => item !== NO_VALUE);
    }
    if (node === null || typeof node !== 'object') return node;
    const entry = node as Record<string, Json>;
    const keys = Object.keys(entry);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const argument = entry[key];
      switch (key) {
        case 'Ref':
          return this.#ref(argument as string);
        case 'Fn::Sub':
          return typeof argument === 'string'
            ? this.#sub(argument)
            : this.#sub(
                (argument as [string, Record<string, Json>])[0],
                (argument as [string, Record<string, Json>])[1],
              );
        case 'Fn::Join': {
          const [delimiter, items] = argument as [string, Json];
          return (this.#resolve(items) as Json[]).map(String).join(delimiter);
        }
        case 'Fn::Split': {
          const [delimiter, text] = argument as [string, Json];
          return String(this.#resolve(text)).split(delimiter);
        }
        case 'Fn::Select': {
          const [index, items] = argument as [number, Json];
          return (this.#resolve(items) as Json[])[index];
        }
        case 'Fn::If': {
          const [condition, whenTrue, whenFalse] = argument as [string, Json, Json];
          return this.#resolve(this.condition(condition) ? whenTrue : whenFalse);
        }
        case 'Fn::GetAtt':
          return `<${(argument as string[]).join('.')}>`;
        default:
          if (key.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${key}`);
      }
    }
    const resolved: Record<string, Json> = {};
    for (const [key, value] of Object.entries(entry)) {
      const item = this.#resolve(value);
      if (item !== NO_VALUE) resolved[key] = item;
    }
    return resolved;
  }
}

export interface PlainStatement {
  sid: string;
  actions: string[];
  resources: string[];
  condition?: unknown;
}

/** Sorted, so that order never decides equality. */
export function normalize(
  statements: Array<{ Sid?: unknown; Action: unknown; Resource: unknown; Condition?: unknown }>,
): PlainStatement[] {
  return statements
    .map((statement) => ({
      sid: String(statement.Sid ?? ''),
      actions: [statement.Action].flat().map(String).sort(),
      resources: [statement.Resource].flat().map(String).sort(),
      ...(statement.Condition !== undefined ? { condition: statement.Condition } : {}),
    }))
    .sort((a, b) => a.sid.localeCompare(b.sid));
}
