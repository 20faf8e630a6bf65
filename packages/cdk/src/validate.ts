/**
 * Synth-time checks of construct options: every problem is collected and reported in one
 * InvalidConfigurationError naming the construct, so a bad configuration never reaches CloudFormation.
 * Values that are CDK tokens (unknown until deploy) are not checked here.
 */
import { InvalidConfigurationError } from '@rotor/core/errors';
import { type Duration, Token } from 'aws-cdk-lib';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { RotationFunctionProps } from './rotation-function.js';

/** Lambda's ceiling. */
const MAX_TIMEOUT_MINUTES = 15;

export class Problems {
  readonly #list: string[] = [];
  constructor(readonly construct: string) {}

  add(problem: string): void {
    this.#list.push(problem);
  }

  /** Throws when any problem was found. */
  check(): void {
    if (this.#list.length === 0) return;
    throw new InvalidConfigurationError(`Invalid ${this.construct} options: ${this.#list.join('; ')}`);
  }
}

export function isKnown(value: unknown): boolean {
  return !Token.isUnresolved(value);
}

/** Options every rotation construct shares; `timeout` is the engine construct's effective timeout. */
export function checkCommonProps(
  props: RotationFunctionProps,
  timeout: Duration,
  problems = new Problems('rotation'),
): void {
  if (!props.secret) problems.add('secret is required');
  if (!props.vpc) {
    if (props.vpcSubnets) problems.add('vpcSubnets needs vpc');
    if (props.securityGroups) problems.add('securityGroups needs vpc');
    if (props.secretsManagerAccess) problems.add('secretsManagerAccess needs vpc');
  } else if (props.secretsManagerAccess === undefined) {
    problems.add(
      "secretsManagerAccess is required with vpc: 'create-endpoint', an existing endpoint, or 'nat' when the subnets route to the internet",
    );
  }
  if (props.securityGroups && props.securityGroups.length === 0)
    problems.add('securityGroups must not be empty');
  if (timeout.toSeconds() > MAX_TIMEOUT_MINUTES * 60)
    problems.add(`timeout must be at most ${MAX_TIMEOUT_MINUTES} minutes`);
  if (props.memorySize !== undefined && (props.memorySize < 128 || props.memorySize > 10240)) {
    problems.add('memorySize must be between 128 and 10240 MB');
  }
  if (props.passwordSource !== undefined && !['local', 'secrets-manager'].includes(props.passwordSource)) {
    problems.add("passwordSource must be 'local' or 'secrets-manager'");
  }
  const schedule = props.schedule;
  if (schedule) {
    if (schedule.automaticallyAfter && schedule.scheduleExpression) {
      problems.add('schedule takes automaticallyAfter or scheduleExpression, not both');
    }
    const days = schedule.automaticallyAfter?.toDays({ integral: false });
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 1000)) {
      problems.add('schedule.automaticallyAfter must be whole days between 1 and 1000');
    }
    const expression = schedule.scheduleExpression;
    if (expression !== undefined && isKnown(expression) && !/^(rate|cron)\(.+\)$/.test(expression)) {
      problems.add('schedule.scheduleExpression must be rate(...) or cron(...)');
    }
    const hours = schedule.window?.toHours({ integral: false });
    if (hours !== undefined && (!Number.isInteger(hours) || hours < 1 || hours > 24)) {
      problems.add('schedule.window must be whole hours between 1 and 24');
    }
  }
  problems.check();
}

/** Database engines: one user changes its own password, or an admin secret alternates two users. */
export function checkUserStrategy(
  props: { strategy: string; adminSecret?: ISecret | undefined },
  problems: Problems,
): void {
  if (!['single-user', 'alternating-users'].includes(props.strategy)) {
    problems.add("strategy must be 'single-user' or 'alternating-users'");
  }
  if (props.strategy === 'alternating-users' && !props.adminSecret)
    problems.add('alternating-users needs adminSecret');
  if (props.strategy === 'single-user' && props.adminSecret)
    problems.add('adminSecret applies to alternating-users only');
}

/** `host` or `host:port` (a DNS name or IPv4 address; `[v6]:port` for IPv6), as the apps' ALLOWED_HOSTS read them. */
const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;

/** Each entry of an allowed-hosts list is one host[:port], with a port in range; tokens are not checked. */
export function checkAllowedHosts(hosts: readonly string[], problems: Problems, name = 'allowedHosts'): void {
  for (const host of hosts) {
    if (!isKnown(host)) continue;
    const match = typeof host === 'string' ? HOST_PORT.exec(host) : null;
    const port = match?.[1] === undefined ? undefined : Number(match[1]);
    if (!match || (port !== undefined && (port < 1 || port > 65535))) {
      problems.add(`${name} entries must be host or host:port (got ${JSON.stringify(host)})`);
    }
  }
}
