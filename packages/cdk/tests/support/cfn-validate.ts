/**
 * An offline CloudFormation template validator (docs/decisions/0082): the structural rules CloudFormation
 * applies before it creates anything, and the resource types, properties, attributes and allowed values of
 * the CloudFormation resource specification that the AWS CDK generates its L1 classes from
 * (`@aws-cdk/aws-service-spec`, which also carries the SAM resources).
 *
 * What it checks: top-level sections; parameter types, settings and defaults (against their own constraints);
 * conditions and the functions they may use; Rules and the functions rules may use; every Ref, Fn::GetAtt,
 * Fn::Sub variable, Fn::If condition, Condition and DependsOn naming something that exists; a reference to a
 * conditional resource only where its condition is known to hold; resource types; unknown and missing required
 * properties; property types, nested property types and allowed values; outputs.
 * What it does not: IAM policy grammar, values checked only by the service at create time, SAM's own transform.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';

export interface Finding {
  /** Where, e.g. `Resources.RotationFunction.Properties.Timeout`. */
  path: string;
  message: string;
}

type Json = unknown;
type Obj = Record<string, Json>;

const TOP_LEVEL = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);
const PARAMETER_KEYS = new Set([
  'Type',
  'Default',
  'AllowedValues',
  'AllowedPattern',
  'ConstraintDescription',
  'Description',
  'MaxLength',
  'MaxValue',
  'MinLength',
  'MinValue',
  'NoEcho',
]);
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
  'Metadata',
]);
const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);
const CONDITION_FUNCTIONS = new Set(['Fn::And', 'Fn::Equals', 'Fn::Not', 'Fn::Or', 'Condition']);
/** The functions a rule may use (CloudFormation user guide, "Rules syntax": rule-specific intrinsic functions). */
const RULE_FUNCTIONS = new Set([
  'Fn::And',
  'Fn::Contains',
  'Fn::EachMemberEquals',
  'Fn::EachMemberIn',
  'Fn::Equals',
  'Fn::Not',
  'Fn::Or',
  'Fn::RefAll',
  'Fn::ValueOf',
  'Fn::ValueOfAll',
  'Ref',
]);
/** SAM resources become these when transformed; Fn::GetAtt on them reads the generated resource. */
const SAM_GENERATES: Record<string, string> = { 'AWS::Serverless::Function': 'AWS::Lambda::Function' };
const PARAMETER_TYPE =
  /^(String|Number|List<Number>|CommaDelimitedList|AWS::EC2::[A-Za-z]+::[A-Za-z]+|List<AWS::EC2::[A-Za-z]+::[A-Za-z]+>|AWS::SSM::Parameter::(Name|Value<.+>))$/;

/** What an intrinsic or literal evaluates to, as far as can be told without deploying. */
type Shape = 'string' | 'number' | 'boolean' | 'list' | 'object' | 'absent' | 'unknown';

let spec: SpecDatabase | undefined;
let resourcesByType: Map<string, Resource> | undefined;

function specIndex(): { db: SpecDatabase; resources: Map<string, Resource> } {
  spec ??= loadAwsServiceSpecSync();
  resourcesByType ??= new Map(
    spec.all('resource').map((resource) => [resource.cloudFormationType, resource]),
  );
  return { db: spec, resources: resourcesByType };
}

const isObject = (value: Json): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{ Ref }` or `{ Fn::X }` with exactly one key. */
function intrinsic(value: Json): [string, Json] | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys as [string];
  return key === 'Ref' || key.startsWith('Fn::') || key === 'Condition' ? [key, value[key]] : undefined;
}

export function validateTemplate(template: Json): Finding[] {
  return new TemplateValidator(template).run();
}

class TemplateValidator {
  readonly #findings: Finding[] = [];
  readonly #template: Obj;
  readonly #parameters: Record<string, Obj>;
  readonly #conditions: Record<string, Json>;
  readonly #resources: Record<string, Obj>;

  constructor(template: Json) {
    this.#template = isObject(template) ? template : {};
    this.#parameters = (isObject(this.#template.Parameters) ? this.#template.Parameters : {}) as Record<
      string,
      Obj
    >;
    this.#conditions = (isObject(this.#template.Conditions) ? this.#template.Conditions : {}) as Record<
      string,
      Json
    >;
    this.#resources = (isObject(this.#template.Resources) ? this.#template.Resources : {}) as Record<
      string,
      Obj
    >;
  }

  run(): Finding[] {
    if (!isObject(this.#template.Resources) || Object.keys(this.#resources).length === 0) {
      this.#add('Resources', 'a template needs at least one resource');
    }
    for (const key of Object.keys(this.#template)) {
      if (!TOP_LEVEL.has(key)) this.#add(key, 'is not a template section');
    }
    const version = this.#template.AWSTemplateFormatVersion;
    if (version !== undefined && version !== '2010-09-09') {
      this.#add('AWSTemplateFormatVersion', 'must be 2010-09-09');
    }
    for (const [name, parameter] of Object.entries(this.#parameters)) this.#parameter(name, parameter);
    for (const [name, condition] of Object.entries(this.#conditions)) {
      this.#condition(`Conditions.${name}`, condition, new Set([name]));
    }
    for (const [name, rule] of Object.entries((this.#template.Rules ?? {}) as Record<string, Obj>)) {
      this.#rule(`Rules.${name}`, rule);
    }
    for (const [id, resource] of Object.entries(this.#resources)) this.#resource(id, resource);
    for (const [name, output] of Object.entries((this.#template.Outputs ?? {}) as Record<string, Obj>)) {
      this.#output(`Outputs.${name}`, output);
    }
    return this.#findings;
  }

  #add(path: string, message: string): void {
    this.#findings.push({ path, message });
  }

  #parameter(name: string, parameter: Obj): void {
    const path = `Parameters.${name}`;
    if (!/^[A-Za-z0-9]+$/.test(name)) this.#add(path, 'parameter names are alphanumeric');
    for (const key of Object.keys(parameter)) {
      if (!PARAMETER_KEYS.has(key)) this.#add(`${path}.${key}`, 'is not a parameter setting');
    }
    const type = parameter.Type;
    if (typeof type !== 'string' || !PARAMETER_TYPE.test(type)) {
      this.#add(`${path}.Type`, `unknown parameter type ${JSON.stringify(type)}`);
      return;
    }
    if (parameter.Default === undefined) return;
    // CloudFormation checks a default against the parameter's own constraints when the stack is created.
    const values =
      type === 'CommaDelimitedList' || type.startsWith('List<')
        ? String(parameter.Default).split(',')
        : [parameter.Default];
    for (const value of values) this.#parameterValue(`${path}.Default`, type, parameter, value);
  }

  #parameterValue(path: string, type: string, parameter: Obj, value: Json): void {
    const text = String(value);
    const allowed = parameter.AllowedValues as Json[] | undefined;
    if (allowed && !allowed.map(String).includes(text)) this.#add(path, `${text} is not in AllowedValues`);
    if (type === 'Number' || type === 'List<Number>') {
      if (!/^-?\d+(\.\d+)?$/.test(text)) this.#add(path, `${text} is not a number`);
      const number = Number(text);
      if (typeof parameter.MinValue === 'number' && number < parameter.MinValue)
        this.#add(path, 'is below MinValue');
      if (typeof parameter.MaxValue === 'number' && number > parameter.MaxValue)
        this.#add(path, 'is above MaxValue');
      return;
    }
    if (
      typeof parameter.AllowedPattern === 'string' &&
      !new RegExp(`^(?:${parameter.AllowedPattern})$`).test(text)
    ) {
      this.#add(path, 'does not match AllowedPattern');
    }
    if (typeof parameter.MinLength === 'number' && text.length < parameter.MinLength)
      this.#add(path, 'is shorter than MinLength');
    if (typeof parameter.MaxLength === 'number' && text.length > parameter.MaxLength)
      this.#add(path, 'is longer than MaxLength');
  }

  /** A condition: only condition functions, Refs to parameters (not resources), no cycle. */
  #condition(path: string, node: Json, seen: Set<string>): void {
    const call = intrinsic(node);
    if (!call) {
      this.#add(path, 'a condition must be Fn::And, Fn::Equals, Fn::Not, Fn::Or or Condition');
      return;
    }
    const [name, argument] = call;
    if (name === 'Condition') {
      const target = String(argument);
      if (!(target in this.#conditions)) this.#add(path, `names no condition ${target}`);
      else if (seen.has(target)) this.#add(path, `condition ${target} refers to itself`);
      else this.#condition(`Conditions.${target}`, this.#conditions[target], new Set([...seen, target]));
      return;
    }
    if (!CONDITION_FUNCTIONS.has(name)) {
      this.#add(path, `${name} is not a condition function`);
      return;
    }
    const args = Array.isArray(argument) ? argument : [];
    if (name === 'Fn::Equals') {
      if (args.length !== 2) this.#add(path, 'Fn::Equals takes two values');
      for (const [index, value] of args.entries())
        this.#value(`${path}.${name}[${index}]`, value, { inCondition: true });
      return;
    }
    const [min, max] = name === 'Fn::Not' ? [1, 1] : [2, 10];
    if (args.length < min || args.length > max) this.#add(path, `${name} takes ${min}-${max} conditions`);
    for (const [index, value] of args.entries()) this.#condition(`${path}.${name}[${index}]`, value, seen);
  }

  #rule(path: string, rule: Obj): void {
    for (const key of Object.keys(rule)) {
      if (key !== 'RuleCondition' && key !== 'Assertions')
        this.#add(`${path}.${key}`, 'is not a rule setting');
    }
    if (rule.RuleCondition !== undefined) this.#ruleFunction(`${path}.RuleCondition`, rule.RuleCondition);
    const assertions = rule.Assertions;
    if (!Array.isArray(assertions) || assertions.length === 0) {
      this.#add(`${path}.Assertions`, 'a rule needs assertions');
      return;
    }
    for (const [index, assertion] of assertions.entries()) {
      const at = `${path}.Assertions[${index}]`;
      if (!isObject(assertion) || assertion.Assert === undefined) {
        this.#add(at, 'an assertion needs Assert');
        continue;
      }
      for (const key of Object.keys(assertion)) {
        if (key !== 'Assert' && key !== 'AssertDescription')
          this.#add(`${at}.${key}`, 'is not an assertion setting');
      }
      this.#ruleFunction(`${at}.Assert`, assertion.Assert);
    }
  }

  /** Rules accept only rule functions, and Refs to parameters. */
  #ruleFunction(path: string, node: Json): void {
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) this.#ruleFunction(`${path}[${index}]`, item);
      return;
    }
    if (!isObject(node)) return;
    const call = intrinsic(node);
    if (!call) {
      this.#add(path, 'rules take rule functions and values only');
      return;
    }
    const [name, argument] = call;
    if (!RULE_FUNCTIONS.has(name)) {
      this.#add(path, `${name} cannot be used in a rule`);
      return;
    }
    if (name === 'Ref') {
      const target = String(argument);
      if (!(target in this.#parameters) && !PSEUDO_PARAMETERS.has(target)) {
        this.#add(path, `rules can Ref parameters only, not ${target}`);
      }
      return;
    }
    this.#ruleFunction(`${path}.${name}`, argument);
  }

  #resource(id: string, resource: Obj): void {
    const path = `Resources.${id}`;
    if (!/^[A-Za-z0-9]+$/.test(id)) this.#add(path, 'logical ids are alphanumeric');
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key)) this.#add(`${path}.${key}`, 'is not a resource setting');
    }
    const known = new Set<string>();
    if (resource.Condition !== undefined) {
      const condition = String(resource.Condition);
      if (!(condition in this.#conditions)) this.#add(`${path}.Condition`, `names no condition ${condition}`);
      known.add(condition);
    }
    for (const dependency of [resource.DependsOn ?? []].flat()) {
      this.#resourceReference(`${path}.DependsOn`, String(dependency), known);
    }
    if (resource.Metadata !== undefined) this.#value(`${path}.Metadata`, resource.Metadata, { known });
    const type = String(resource.Type);
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') {
      this.#value(`${path}.Properties`, resource.Properties ?? {}, { known });
      return;
    }
    const definition = specIndex().resources.get(type);
    if (!definition) {
      this.#add(`${path}.Type`, `unknown resource type ${type}`);
      return;
    }
    if (definition.cloudFormationTransform) {
      const transforms = [this.#template.Transform ?? []].flat();
      if (!transforms.includes(definition.cloudFormationTransform)) {
        this.#add(`${path}.Type`, `${type} needs Transform ${definition.cloudFormationTransform}`);
      }
    }
    this.#properties(`${path}.Properties`, resource.Properties ?? {}, definition.properties, known);
  }

  #properties(
    path: string,
    value: Json,
    declared: Record<string, { type: PropertyType; required?: boolean }>,
    known: Set<string>,
  ): void {
    if (intrinsic(value)) {
      this.#value(path, value, { known });
      return;
    }
    if (!isObject(value)) {
      this.#add(path, 'must be an object');
      return;
    }
    for (const [name, property] of Object.entries(declared)) {
      if (property.required && value[name] === undefined) this.#add(`${path}.${name}`, 'is required');
    }
    for (const [name, item] of Object.entries(value)) {
      const property = declared[name];
      if (!property) {
        this.#add(`${path}.${name}`, 'is not a property of this type');
        continue;
      }
      this.#typed(`${path}.${name}`, item, property.type, known);
    }
  }

  /** Checks `value` against a spec type; returns whether it fits (findings only for the best-fitting branch). */
  #typed(path: string, value: Json, type: PropertyType, known: Set<string>): void {
    const problems = this.#typeProblems(path, value, type, known);
    for (const problem of problems) this.#findings.push(problem);
  }

  #typeProblems(path: string, value: Json, type: PropertyType, known: Set<string>): Finding[] {
    const outer = this.#findings.length;
    const call = intrinsic(value);
    if (call?.[0] === 'Fn::If') {
      const [condition, whenTrue, whenFalse] = (Array.isArray(call[1]) ? call[1] : []) as [Json, Json, Json];
      this.#ifCondition(`${path}.Fn::If`, condition);
      const inner = [
        ...this.#typeProblems(`${path}.Fn::If[1]`, whenTrue, type, new Set([...known, String(condition)])),
        ...this.#typeProblems(`${path}.Fn::If[2]`, whenFalse, type, known),
      ];
      return [...this.#findings.splice(outer), ...inner];
    }
    if (call) {
      const shape = this.#value(path, value, { known });
      const findings = this.#findings.splice(outer);
      if (!fits(shape, type, this.#db)) {
        findings.push({
          path,
          message: `${call[0]} gives a ${shape}, where the property takes ${describe(type)}`,
        });
      }
      return findings;
    }
    switch (type.type) {
      case 'string':
        if (typeof value !== 'string' && typeof value !== 'number')
          return [{ path, message: 'must be a string' }];
        if (type.allowedValues && !type.allowedValues.includes(String(value))) {
          return [{ path, message: `${String(value)} is not one of ${type.allowedValues.join(', ')}` }];
        }
        return [];
      case 'number':
      case 'integer': {
        if (typeof value !== 'number' && !(typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))) {
          return [{ path, message: 'must be a number' }];
        }
        const allowed = 'allowedValues' in type ? type.allowedValues : undefined;
        if (allowed && !allowed.includes(Number(value)))
          return [{ path, message: `${value} is not an allowed value` }];
        return [];
      }
      case 'boolean':
        return typeof value === 'boolean' || value === 'true' || value === 'false'
          ? []
          : [{ path, message: 'must be a boolean' }];
      case 'json':
      case 'tag':
        this.#value(path, value, { known });
        return this.#findings.splice(outer);
      case 'date-time':
        return typeof value === 'string' ? [] : [{ path, message: 'must be a date-time string' }];
      case 'null':
        return [];
      case 'array':
        if (!Array.isArray(value)) return [{ path, message: 'must be a list' }];
        return value.flatMap((item, index) =>
          intrinsic(item)?.[0] === 'Ref' && (intrinsic(item)?.[1] as string) === 'AWS::NoValue'
            ? []
            : this.#typeProblems(`${path}[${index}]`, item, type.element, known),
        );
      case 'map':
        if (!isObject(value)) return [{ path, message: 'must be an object' }];
        return Object.entries(value).flatMap(([key, item]) =>
          this.#typeProblems(`${path}.${key}`, item, type.element, known),
        );
      case 'ref': {
        const definition = this.#db.get('typeDefinition', type.reference) as TypeDefinition;
        this.#properties(path, value, definition.properties, known);
        return this.#findings.splice(outer);
      }
      case 'union': {
        const attempts = type.types.map((branch) => this.#typeProblems(path, value, branch, known));
        return attempts.some((attempt) => attempt.length === 0)
          ? []
          : attempts.reduce((best, attempt) => (attempt.length < best.length ? attempt : best));
      }
      default:
        return [];
    }
  }

  get #db(): SpecDatabase {
    return specIndex().db;
  }

  #ifCondition(path: string, condition: Json): void {
    if (typeof condition !== 'string' || !(condition in this.#conditions)) {
      this.#add(path, `names no condition ${String(condition)}`);
    }
  }

  /**
   * Walks any value, checking every intrinsic in it, and says what it evaluates to. `known` holds the
   * conditions that hold here (the resource's own, and the true branches of enclosing Fn::Ifs).
   */
  #value(path: string, value: Json, context: { known?: Set<string>; inCondition?: boolean }): Shape {
    const known = context.known ?? new Set<string>();
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) this.#value(`${path}[${index}]`, item, context);
      return 'list';
    }
    if (typeof value === 'string') return 'string';
    if (typeof value === 'number') return 'number';
    if (typeof value === 'boolean') return 'boolean';
    if (!isObject(value)) return 'unknown';
    const call = intrinsic(value);
    if (!call) {
      for (const [key, item] of Object.entries(value)) this.#value(`${path}.${key}`, item, context);
      return 'object';
    }
    const [name, argument] = call;
    const at = `${path}.${name}`;
    switch (name) {
      case 'Ref': {
        const target = String(argument);
        if (target === 'AWS::NoValue') return 'absent';
        if (PSEUDO_PARAMETERS.has(target)) return target === 'AWS::NotificationARNs' ? 'list' : 'string';
        const parameter = this.#parameters[target];
        if (parameter)
          return String(parameter.Type).startsWith('List<') || parameter.Type === 'CommaDelimitedList'
            ? 'list'
            : parameter.Type === 'Number'
              ? 'number'
              : 'string';
        if (context.inCondition) {
          this.#add(at, `conditions can Ref parameters only, not ${target}`);
          return 'unknown';
        }
        this.#resourceReference(at, target, known);
        return 'string';
      }
      case 'Fn::GetAtt': {
        const [resource, attribute] = (
          typeof argument === 'string' ? argument.split(/\.(.*)/s) : (argument as Json[])
        ) as [string, Json];
        if (typeof attribute !== 'string') {
          this.#value(at, attribute, context);
          this.#resourceReference(at, resource, known);
          return 'unknown';
        }
        return this.#attribute(at, resource, attribute, known);
      }
      case 'Fn::Sub':
        return this.#sub(at, argument, context);
      case 'Fn::Join': {
        const [delimiter, items] = (Array.isArray(argument) ? argument : []) as [Json, Json];
        if (typeof delimiter !== 'string') this.#add(at, 'Fn::Join takes a delimiter string and a list');
        const shape = this.#value(`${at}[1]`, items, context);
        if (shape !== 'list' && shape !== 'unknown') this.#add(at, `Fn::Join needs a list, not a ${shape}`);
        return 'string';
      }
      case 'Fn::Split':
        this.#value(at, argument, context);
        return 'list';
      case 'Fn::Select': {
        const [index, items] = (Array.isArray(argument) ? argument : []) as [Json, Json];
        this.#value(`${at}[0]`, index, context);
        const shape = this.#value(`${at}[1]`, items, context);
        if (shape !== 'list' && shape !== 'unknown') this.#add(at, `Fn::Select needs a list, not a ${shape}`);
        return 'unknown';
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = (Array.isArray(argument) ? argument : []) as [
          Json,
          Json,
          Json,
        ];
        this.#ifCondition(at, condition);
        const first = this.#value(`${at}[1]`, whenTrue, {
          ...context,
          known: new Set([...known, String(condition)]),
        });
        const second = this.#value(`${at}[2]`, whenFalse, context);
        return first === second
          ? first
          : first === 'absent'
            ? second
            : second === 'absent'
              ? first
              : 'unknown';
      }
      case 'Fn::Equals':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
        if (!context.inCondition) this.#add(at, `${name} belongs in Conditions or Rules`);
        this.#value(at, argument, context);
        return 'boolean';
      case 'Condition':
        if (!(String(argument) in this.#conditions)) this.#add(at, `names no condition ${String(argument)}`);
        return 'boolean';
      case 'Fn::GetAZs':
      case 'Fn::Cidr':
        this.#value(at, argument, context);
        return 'list';
      case 'Fn::Base64':
      case 'Fn::ImportValue':
        this.#value(at, argument, context);
        return 'string';
      case 'Fn::FindInMap':
      case 'Fn::Length':
      case 'Fn::ToJsonString':
        this.#value(at, argument, context);
        return name === 'Fn::ToJsonString' ? 'string' : 'unknown';
      default:
        this.#add(at, `${name} is not an intrinsic function`);
        return 'unknown';
    }
  }

  /** A reference to a resource: it must exist, and if it is conditional its condition must hold here. */
  #resourceReference(path: string, id: string, known: Set<string>): void {
    const resource = this.#resources[id];
    if (!resource) {
      this.#add(path, `names nothing: no parameter, pseudo parameter or resource ${id}`);
      return;
    }
    const condition = resource.Condition === undefined ? undefined : String(resource.Condition);
    if (condition !== undefined && !known.has(condition)) {
      this.#add(
        path,
        `${id} exists only when ${condition} holds, which is not known here (guard it with Fn::If)`,
      );
    }
  }

  #attribute(path: string, id: string, attribute: string, known: Set<string>): Shape {
    this.#resourceReference(path, id, known);
    const resource = this.#resources[id];
    if (!resource) return 'unknown';
    const type = String(resource.Type);
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return 'unknown';
    const definition = specIndex().resources.get(SAM_GENERATES[type] ?? type);
    const declared = definition?.attributes[attribute];
    if (definition && !declared) {
      this.#add(path, `${type} has no attribute ${attribute}`);
      return 'unknown';
    }
    return declared?.type.type === 'array' ? 'list' : declared?.type.type === 'integer' ? 'number' : 'string';
  }

  #sub(path: string, argument: Json, context: { known?: Set<string>; inCondition?: boolean }): Shape {
    const [text, variables] = (
      typeof argument === 'string' ? [argument, {}] : (argument as [Json, Json])
    ) as [Json, Json];
    if (typeof text !== 'string') {
      this.#add(path, 'Fn::Sub takes a string (and a map of variables)');
      return 'string';
    }
    const local = isObject(variables) ? variables : {};
    for (const [name, item] of Object.entries(local)) this.#value(`${path}.${name}`, item, context);
    for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
      const name = match[1]!.trim();
      if (name in local) continue;
      if (name.includes('.')) {
        const [resource, attribute] = name.split(/\.(.*)/s) as [string, string];
        if (this.#attribute(path, resource, attribute, context.known ?? new Set()) === 'list') {
          this.#add(path, `\${${name}} is a list; Fn::Sub takes strings only`);
        }
        continue;
      }
      if (PSEUDO_PARAMETERS.has(name)) continue;
      const parameter = this.#parameters[name];
      if (parameter) {
        if (String(parameter.Type).startsWith('List<') || parameter.Type === 'CommaDelimitedList') {
          this.#add(path, `\${${name}} is a list parameter; Fn::Sub takes strings only`);
        }
        continue;
      }
      this.#resourceReference(path, name, context.known ?? new Set());
    }
    return 'string';
  }

  #output(path: string, output: Obj): void {
    for (const key of Object.keys(output)) {
      if (!['Description', 'Value', 'Export', 'Condition'].includes(key))
        this.#add(`${path}.${key}`, 'is not an output setting');
    }
    if (output.Value === undefined) this.#add(path, 'an output needs a Value');
    const known = new Set<string>();
    if (output.Condition !== undefined) {
      if (!(String(output.Condition) in this.#conditions))
        this.#add(`${path}.Condition`, `names no condition ${String(output.Condition)}`);
      known.add(String(output.Condition));
    }
    this.#value(`${path}.Value`, output.Value, { known });
  }
}

/** Whether what an intrinsic gives can be what the property takes. */
function fits(shape: Shape, type: PropertyType, db: SpecDatabase): boolean {
  if (shape === 'unknown' || shape === 'absent') return true;
  switch (type.type) {
    case 'string':
    case 'date-time':
      return shape === 'string' || shape === 'number';
    case 'number':
    case 'integer':
    case 'boolean':
      // CloudFormation passes parameters as strings and converts them.
      return shape === 'string' || shape === 'number' || shape === 'boolean';
    case 'array':
      return shape === 'list';
    case 'union':
      return type.types.some((branch) => fits(shape, branch, db));
    case 'json':
    case 'map':
    case 'ref':
    case 'tag':
      return shape === 'object' || shape === 'string';
    default:
      return true;
  }
}

function describe(type: PropertyType): string {
  switch (type.type) {
    case 'array':
      return 'a list';
    case 'union':
      return type.types.map(describe).join(' or ');
    case 'ref':
    case 'map':
    case 'json':
      return 'an object';
    default:
      return `a ${type.type}`;
  }
}
