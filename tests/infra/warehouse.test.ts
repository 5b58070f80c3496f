import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, installMocks, ofType, one, resourcesOf, roleStatements, settle, statementsOf, valueOf } from './harness.js';

await installMocks();
const { Warehouse } = await import('../../infra/warehouse.js');

const LAKE = 'arn:aws:s3:::lake-bucket';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/lake';

describe('Warehouse', () => {
  let warehouse: InstanceType<typeof Warehouse>;

  beforeAll(async () => {
    // Act
    warehouse = new Warehouse('ecomdw-test', {
      vpcCidr: '10.42.0.0/16',
      databaseName: 'ecomdw',
      adminUsername: 'ecomdw_admin',
      baseCapacity: 8,
      maxCapacity: 32,
      dailyRpuHoursLimit: 24,
      usageLimitBreachAction: 'emit-metric',
      lakeBucketArn: LAKE,
      lakeKeyArn: KEY,
    });
    await valueOf(warehouse.workgroupArn);
    await settle();
  });

  it('lets AWS manage the admin password and exposes its secret', async () => {
    const ns = one('aws:redshiftserverless/namespace:Namespace', '-ns');
    expect(ns.inputs.manageAdminPassword).toBe(true);
    expect(ns.inputs.adminUserPassword).toBeUndefined();
    expect(await valueOf(warehouse.adminSecretArn)).toMatch(/^arn:aws:secretsmanager:/);
  });

  it('attaches the COPY role to the namespace', async () => {
    const ns = one('aws:redshiftserverless/namespace:Namespace', '-ns');
    expect(ns.inputs.iamRoles).toEqual([await valueOf(warehouse.copyRoleArn)]);
  });

  it('keeps the workgroup private, with enhanced VPC routing and the configured capacities', () => {
    const wg = one('aws:redshiftserverless/workgroup:Workgroup', '-wg');
    expect(wg.inputs).toMatchObject({ publiclyAccessible: false, enhancedVpcRouting: true, baseCapacity: 8, maxCapacity: 32 });
  });

  it('places the workgroup in three private subnets in three Availability Zones', () => {
    const subnets = ofType('aws:ec2/subnet:Subnet');
    expect(subnets).toHaveLength(3);
    expect(new Set(subnets.map((s) => s.inputs.availabilityZone)).size).toBe(3);
    expect(subnets.map((s) => s.inputs.cidrBlock)).toEqual(['10.42.0.0/20', '10.42.16.0/20', '10.42.32.0/20']);
    expect(subnets.every((s) => s.inputs.mapPublicIpOnLaunch === false)).toBe(true);
    expect(one('aws:redshiftserverless/workgroup:Workgroup', '-wg').inputs.subnetIds).toEqual(subnets.map((s) => `${s.name}-id`));
  });

  it('creates no route to the internet', () => {
    expect(ofType('aws:ec2/internetGateway:InternetGateway')).toHaveLength(0);
    expect(ofType('aws:ec2/natGateway:NatGateway')).toHaveLength(0);
    expect(ofType('aws:ec2/route:Route')).toHaveLength(0);
  });

  it('allows nothing inbound from outside the security group', () => {
    const sg = one('aws:ec2/securityGroup:SecurityGroup', '-sg');
    for (const rule of sg.inputs.ingress) {
      expect(rule.cidrBlocks ?? []).toEqual([]);
      expect(rule.ipv6CidrBlocks ?? []).toEqual([]);
      expect(rule.self).toBe(true);
    }
  });

  it('routes COPY to S3 through a gateway endpoint limited to the lake bucket', () => {
    const endpoint = one('aws:ec2/vpcEndpoint:VpcEndpoint', '-s3-endpoint');
    expect(endpoint.inputs).toMatchObject({ vpcEndpointType: 'Gateway', serviceName: 'com.amazonaws.eu-west-1.s3' });
    const resources = statementsOf(endpoint.inputs.policy).flatMap(resourcesOf);
    expect(resources.sort()).toEqual([LAKE, `${LAKE}/*`]);
  });

  it('lets the COPY role read silver/ and quarantine/ and nothing else', () => {
    const statements = roleStatements('-copy-role');
    const reads = statements.filter((s) => actionsOf(s).includes('s3:GetObject')).flatMap(resourcesOf);
    expect(reads.sort()).toEqual([`${LAKE}/quarantine/*`, `${LAKE}/silver/*`]);
    expect(statements.flatMap(actionsOf).filter((a) => /Put|Delete/.test(a))).toEqual([]);
    const list = statements.find((s) => actionsOf(s).includes('s3:ListBucket'));
    expect(list?.Condition?.StringLike?.['s3:prefix']).toEqual(['silver/', 'silver/*', 'quarantine/', 'quarantine/*']);
  });

  it('limits daily compute in RPU-hours on the workgroup', async () => {
    const limit = one('aws:redshiftserverless/usageLimit:UsageLimit', '-usage-limit');
    expect(limit.inputs).toMatchObject({ usageType: 'serverless-compute', amount: 24, period: 'daily', breachAction: 'emit-metric' });
    expect(limit.inputs.resourceArn).toBe(await valueOf(warehouse.workgroupArn));
  });
});
