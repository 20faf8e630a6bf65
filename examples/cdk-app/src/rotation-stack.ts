import { ElastiCacheUserRotation, PostgresRotation, RedshiftRotation } from '@rotor/cdk';
import { ArnFormat, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * One of each Rotor rotation, as a platform team would wire them: an ElastiCache user (dual passwords, login
 * test from the cache's VPC), a Redshift Serverless user over the Data API (its new passwords proven by a
 * direct login from the VPC), and a PostgreSQL user (alternating users), all reporting to one encrypted SNS
 * topic and sharing one Secrets Manager endpoint.
 */
export class RotationStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    vpc.addFlowLog('FlowLog');
    const alarms = new sns.Topic(this, 'RotationAlarms', {
      enforceSSL: true,
      masterKey: new kms.Key(this, 'AlarmsKey', { enableKeyRotation: true }),
    });

    const cacheSecurityGroup = new ec2.SecurityGroup(this, 'CacheSecurityGroup', {
      vpc,
      allowAllOutbound: false,
    });
    const cacheRotation = new ElastiCacheUserRotation(this, 'CacheUserRotation', {
      secret: new secretsmanager.Secret(this, 'CacheUserSecret', { description: 'ElastiCache user app' }),
      userArn: this.formatArn({
        service: 'elasticache',
        resource: 'user',
        resourceName: 'app',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      userName: 'app',
      strategy: 'dual-password',
      userGroupArns: [
        this.formatArn({
          service: 'elasticache',
          resource: 'usergroup',
          resourceName: 'app-users',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      cacheArns: [
        this.formatArn({
          service: 'elasticache',
          resource: 'replicationgroup',
          resourceName: 'app-cache',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      vpc,
      secretsManagerAccess: 'create-endpoint',
      cache: { connections: cacheSecurityGroup },
      alarmTopic: alarms,
    });

    new RedshiftRotation(this, 'WarehouseRotation', {
      secret: new secretsmanager.Secret(this, 'WarehouseUserSecret', {
        description: 'Redshift user reporting',
      }),
      strategy: 'single-user',
      target: { workgroupName: 'analytics', workgroupId: '2f8e6c1a-5b7d-4e3f-9a1c-0d2b4c6e8f10' },
      transport: 'data-api',
      vpc,
      // One Secrets Manager endpoint per VPC: private DNS allows no second one.
      secretsManagerAccess: cacheRotation.secretsManagerEndpoint!,
      targetConnections: new ec2.SecurityGroup(this, 'WorkgroupSecurityGroup', {
        vpc,
        allowAllOutbound: false,
      }),
      schedule: { automaticallyAfter: Duration.days(14) },
      alarmTopic: alarms,
    });

    const databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc,
      allowAllOutbound: false,
    });
    new PostgresRotation(this, 'DatabaseRotation', {
      secret: new secretsmanager.Secret(this, 'DatabaseUserSecret', {
        description: 'PostgreSQL user orders',
      }),
      adminSecret: new secretsmanager.Secret(this, 'DatabaseAdminSecret', {
        description: 'PostgreSQL admin',
      }),
      strategy: 'alternating-users',
      allowedHosts: ['orders-db.example.internal:5432'],
      vpc,
      secretsManagerAccess: 'nat',
      database: databaseSecurityGroup,
      alarmTopic: alarms,
    });
  }
}
