import {
  CreateUserCommand,
  type CreateUserCommandInput,
  DescribeReplicationGroupsCommand,
  DescribeServerlessCachesCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  ElastiCacheClient,
  ModifyUserCommand,
  type ModifyUserCommandInput,
  ModifyUserGroupCommand,
  type ReplicationGroup,
  type ServerlessCache,
  type User,
  type UserGroup,
} from '@aws-sdk/client-elasticache';
import { type RotationStep, throttlingRetryStrategy } from '@rotor/core/engine';
import { awsErrorName, toRotationError } from './aws-errors.js';
import type { UserRef } from './user-ids.js';

export interface ControlPlaneOptions {
  /** One client for every user (its region is used as configured). */
  client?: ElastiCacheClient | undefined;
  /** Overrides the region taken from each user's ARN. */
  region?: string | undefined;
  /** Endpoint override; AWS_ENDPOINT_URL_ELASTICACHE / AWS_ENDPOINT_URL also work through the SDK. */
  endpoint?: string | undefined;
}

/**
 * The ElastiCache management API calls the engine makes, each mapped to Rotor's errors. Passwords go
 * into requests only, never into messages.
 */
export class ControlPlane {
  readonly #options: ControlPlaneOptions;
  readonly #clients = new Map<string, ElastiCacheClient>();

  constructor(options: ControlPlaneOptions) {
    this.#options = options;
  }

  /** The client for a user's region, created on first use (AWS's function also takes the region from the ARN). */
  client(ref: Pick<UserRef, 'region'>): ElastiCacheClient {
    if (this.#options.client) return this.#options.client;
    const region = this.#options.region ?? ref.region;
    let client = this.#clients.get(region);
    if (!client) {
      client = new ElastiCacheClient({
        region,
        // ElastiCache's control-plane APIs are throttled per account, and a rotation window that starts many
        // rotations at once is when that bites: throttled calls are retried with jittered exponential backoff
        // until the step's deadline (decisions 0090, 0095).
        retryStrategy: throttlingRetryStrategy(),
        ...(this.#options.endpoint ? { endpoint: this.#options.endpoint } : {}),
      });
      this.#clients.set(region, client);
    }
    return client;
  }

  /**
   * The user, or undefined when it does not exist. `signal` (the Lambda deadline) also stops the SDK's
   * retries of a throttled call, so a throttled wait ends in time to report a retryable timeout.
   */
  async findUser(
    ref: UserRef,
    step: RotationStep | undefined,
    signal?: AbortSignal,
  ): Promise<User | undefined> {
    try {
      const output = await this.client(ref).send(
        new DescribeUsersCommand({ UserId: ref.userId }),
        signal ? { abortSignal: signal } : {},
      );
      return output.Users?.find((user) => user.UserId?.toLowerCase() === ref.userId);
    } catch (error) {
      const name = awsErrorName(error);
      if (name === 'UserNotFoundFault' || name === 'UserNotFound') return undefined;
      throw toRotationError(error, `DescribeUsers for user id "${ref.userId}"`, { step });
    }
  }

  async findUserGroup(ref: UserRef, userGroupId: string, step: RotationStep | undefined) {
    try {
      const output = await this.client(ref).send(new DescribeUserGroupsCommand({ UserGroupId: userGroupId }));
      return output.UserGroups?.find((group) => group.UserGroupId === userGroupId) as UserGroup | undefined;
    } catch (error) {
      if (awsErrorName(error) === 'UserGroupNotFoundFault') return undefined;
      throw toRotationError(error, `DescribeUserGroups for group "${userGroupId}"`, { step });
    }
  }

  /** A replication group, or undefined when it does not exist (any more). */
  async findReplicationGroup(
    ref: Pick<UserRef, 'region'>,
    replicationGroupId: string,
    step: RotationStep | undefined,
  ): Promise<ReplicationGroup | undefined> {
    try {
      const output = await this.client(ref).send(
        new DescribeReplicationGroupsCommand({ ReplicationGroupId: replicationGroupId }),
      );
      return output.ReplicationGroups?.find((group) => group.ReplicationGroupId === replicationGroupId);
    } catch (error) {
      if (awsErrorName(error) === 'ReplicationGroupNotFoundFault') return undefined;
      throw toRotationError(error, `DescribeReplicationGroups for "${replicationGroupId}"`, { step });
    }
  }

  /** A serverless cache, or undefined when it does not exist (any more). */
  async findServerlessCache(
    ref: Pick<UserRef, 'region'>,
    name: string,
    step: RotationStep | undefined,
  ): Promise<ServerlessCache | undefined> {
    try {
      const output = await this.client(ref).send(
        new DescribeServerlessCachesCommand({ ServerlessCacheName: name }),
      );
      return output.ServerlessCaches?.find((cache) => cache.ServerlessCacheName === name);
    } catch (error) {
      if (awsErrorName(error) === 'ServerlessCacheNotFoundFault') return undefined;
      throw toRotationError(error, `DescribeServerlessCaches for "${name}"`, { step });
    }
  }

  async modifyUser(ref: UserRef, input: ModifyUserCommandInput, step: RotationStep | undefined) {
    try {
      await this.client(ref).send(new ModifyUserCommand(input));
    } catch (error) {
      throw toRotationError(error, `ModifyUser for user id "${ref.userId}"`, {
        step,
        secrets: input.Passwords ?? [],
      });
    }
  }

  /** Creates the user; false when it already exists (a retried step, or a concurrent run). */
  async createUser(ref: UserRef, input: CreateUserCommandInput, step: RotationStep | undefined) {
    try {
      await this.client(ref).send(new CreateUserCommand(input));
      return true;
    } catch (error) {
      if (awsErrorName(error) === 'UserAlreadyExistsFault') return false;
      throw toRotationError(error, `CreateUser for user id "${ref.userId}"`, {
        step,
        secrets: input.Passwords ?? [],
      });
    }
  }

  async addUserToGroup(ref: UserRef, userGroupId: string, step: RotationStep | undefined) {
    try {
      await this.client(ref).send(
        new ModifyUserGroupCommand({ UserGroupId: userGroupId, UserIdsToAdd: [ref.userId] }),
      );
    } catch (error) {
      throw toRotationError(error, `ModifyUserGroup adding "${ref.userId}" to group "${userGroupId}"`, {
        step,
      });
    }
  }
}
