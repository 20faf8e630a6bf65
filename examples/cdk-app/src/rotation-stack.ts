import { ElastiCacheUserRotation, PostgresRotation, RedshiftRotation } from '@rotor/cdk';
import { ArnFormat, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * One of each Rotor rotation, as a platform team would wire them: an ElastiCache user (dual passwords, login
 * test from the cache's VPC), a Redshift Serverless user over the Data API (no VPC), and a PostgreSQL user
 * (alternating users), all reporting to one encrypted SNS topic.
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
    new ElastiCacheUserRotation(this, 'CacheUserRotation', {
      secret: new secretsmanager.Secret(this, 'CacheUserSecret', { description: 'ElastiCache user app' }),
      userArn: this.formatArn({
        service: 'elasticache',
        resource: 'user',
        resourceName: 'app',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      userName: 'app',
      strategy: 'dual-password',
      vpc,
      secretsManagerAccess: 'create-endpoint',
      cache: { host: 'master.app-cache.example.internal', connections: cacheSecurityGroup },
      alarmTopic: alarms,
    });

    new RedshiftRotation(this, 'WarehouseRotation', {
      secret: new secretsmanager.Secret(this, 'WarehouseUserSecret', {
        description: 'Redshift user reporting',
      }),
      strategy: 'single-user',
      target: { workgroupName: 'analytics' },
      transport: 'data-api',
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
      vpc,
      secretsManagerAccess: 'nat',
      database: databaseSecurityGroup,
      alarmTopic: alarms,
    });
  }
}
