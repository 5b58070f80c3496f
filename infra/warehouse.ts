import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { subnetCidrs } from './config.js';
import { LAKE_PREFIXES } from './lake.js';
import { awsContext, kmsViaS3Statement, listPrefixesStatement, objectArns, policyDocument, roleWithPolicy, serviceTrustPolicy } from './policies.js';

/** Redshift Serverless needs subnets in at least three Availability Zones. */
const SUBNET_COUNT = 3;
/** Redshift's port, open only to members of the warehouse security group. */
const REDSHIFT_PORT = 5439;

/** Inputs of the warehouse layer. */
export interface WarehouseArgs {
  /** Private range of the VPC created for the workgroup. */
  readonly vpcCidr: pulumi.Input<string>;
  readonly databaseName: pulumi.Input<string>;
  readonly adminUsername: pulumi.Input<string>;
  /** RPU. */
  readonly baseCapacity: pulumi.Input<number>;
  /** RPU. */
  readonly maxCapacity: pulumi.Input<number>;
  readonly dailyRpuHoursLimit: pulumi.Input<number>;
  /** emit-metric, log or deactivate. */
  readonly usageLimitBreachAction: pulumi.Input<string>;
  /** The lake bucket COPY reads silver/ and quarantine/ from. */
  readonly lakeBucketArn: pulumi.Input<string>;
  readonly lakeKeyArn: pulumi.Input<string>;
}

/**
 * Redshift Serverless in private subnets: namespace (admin password managed by
 * AWS in Secrets Manager), workgroup (not public, enhanced VPC routing), the COPY
 * role, an S3 gateway endpoint for COPY, and a daily RPU-hours usage limit.
 */
export class Warehouse extends pulumi.ComponentResource {
  public readonly namespaceName: pulumi.Output<string>;
  public readonly workgroupName: pulumi.Output<string>;
  public readonly workgroupArn: pulumi.Output<string>;
  public readonly databaseName: pulumi.Output<string>;
  /** The AWS-managed admin secret the Data API authenticates with. */
  public readonly adminSecretArn: pulumi.Output<string>;
  public readonly copyRoleArn: pulumi.Output<string>;
  public readonly vpcId: pulumi.Output<string>;
  public readonly subnetIds: pulumi.Output<string[]>;
  public readonly securityGroupId: pulumi.Output<string>;

  public constructor(name: string, args: WarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ecomdw:warehouse:Warehouse', name, {}, opts);
    const context = awsContext(this);

    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: args.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true }, { parent: this });
    const zones = aws.getAvailabilityZonesOutput({ state: 'available' }, { parent: this });
    // No internet gateway and no NAT: nothing in these subnets is reachable from, or reaches, the internet.
    const routeTable = new aws.ec2.RouteTable(`${name}-private-rt`, { vpcId: vpc.id }, { parent: this });
    const subnets = Array.from({ length: SUBNET_COUNT }, (_, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock: pulumi.output(args.vpcCidr).apply((cidr) => subnetCidrs(cidr, SUBNET_COUNT)[i] as string),
          availabilityZone: zones.names.apply((names) => {
            const zone = names[i];
            if (zone === undefined) throw new Error(`Redshift Serverless needs ${SUBNET_COUNT} Availability Zones; the region offers ${names.length}`);
            return zone;
          }),
          mapPublicIpOnLaunch: false,
        },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}-rt`, { subnetId: subnet.id, routeTableId: routeTable.id }, { parent: this });
      return subnet;
    });
    // With enhanced VPC routing, COPY reaches S3 through the VPC: this endpoint, limited to the lake bucket.
    const s3Endpoint = new aws.ec2.VpcEndpoint(
      `${name}-s3-endpoint`,
      {
        vpcId: vpc.id,
        serviceName: pulumi.interpolate`com.amazonaws.${context.region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: [routeTable.id],
        policy: policyDocument([
          {
            Sid: 'LakeOnly',
            Effect: 'Allow',
            Principal: '*',
            Action: ['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation'],
            Resource: [args.lakeBucketArn, pulumi.interpolate`${args.lakeBucketArn}/*`],
          },
        ]),
      },
      { parent: this },
    );
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: vpc.id,
        description: 'ecomdw Redshift Serverless workgroup: no inbound from outside this group',
        ingress: [{ protocol: 'tcp', fromPort: REDSHIFT_PORT, toPort: REDSHIFT_PORT, self: true, description: 'Redshift clients inside this group' }],
        egress: [
          { protocol: 'tcp', fromPort: 443, toPort: 443, prefixListIds: [s3Endpoint.prefixListId], description: 'COPY from S3 via the gateway endpoint' },
          { protocol: 'tcp', fromPort: REDSHIFT_PORT, toPort: REDSHIFT_PORT, self: true, description: 'Redshift within this group' },
        ],
      },
      { parent: this },
    );

    const copyRole = roleWithPolicy(
      `${name}-copy-role`,
      {
        description: 'Assumed by Redshift Serverless in COPY: reads silver/ and quarantine/ of the lake',
        // Redshift does not document aws:SourceAccount on AssumeRole, so no condition here.
        assumeRolePolicy: serviceTrustPolicy(['redshift.amazonaws.com', 'redshift-serverless.amazonaws.com']),
        statements: [
          { Sid: 'ReadNormalizedObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: objectArns(args.lakeBucketArn, [LAKE_PREFIXES.silver, LAKE_PREFIXES.quarantine]) },
          listPrefixesStatement('ListNormalizedPrefixes', args.lakeBucketArn, [LAKE_PREFIXES.silver, LAKE_PREFIXES.quarantine]),
          { Sid: 'LocateLakeBucket', Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: args.lakeBucketArn },
          kmsViaS3Statement('DecryptLakeObjects', args.lakeKeyArn, ['kms:Decrypt'], context.region),
        ],
      },
      this,
    );

    const namespace = new aws.redshiftserverless.Namespace(
      `${name}-ns`,
      {
        namespaceName: name,
        dbName: args.databaseName,
        adminUsername: args.adminUsername,
        // AWS generates the password, stores it in Secrets Manager and rotates it; it never enters Pulumi state.
        manageAdminPassword: true,
        iamRoles: [copyRole.arn],
        defaultIamRoleArn: copyRole.arn,
        logExports: ['userlog', 'connectionlog', 'useractivitylog'],
      },
      { parent: this },
    );
    const workgroup = new aws.redshiftserverless.Workgroup(
      `${name}-wg`,
      {
        workgroupName: name,
        namespaceName: namespace.namespaceName,
        baseCapacity: args.baseCapacity,
        maxCapacity: args.maxCapacity,
        publiclyAccessible: false,
        enhancedVpcRouting: true,
        subnetIds: subnets.map((s) => s.id),
        securityGroupIds: [securityGroup.id],
      },
      { parent: this },
    );
    new aws.redshiftserverless.UsageLimit(
      `${name}-usage-limit`,
      {
        resourceArn: workgroup.arn,
        usageType: 'serverless-compute',
        amount: args.dailyRpuHoursLimit,
        period: 'daily',
        breachAction: args.usageLimitBreachAction,
      },
      { parent: this },
    );

    this.namespaceName = namespace.namespaceName;
    this.workgroupName = workgroup.workgroupName;
    this.workgroupArn = workgroup.arn;
    this.databaseName = pulumi.output(args.databaseName);
    this.adminSecretArn = namespace.adminPasswordSecretArn;
    this.copyRoleArn = copyRole.arn;
    this.vpcId = vpc.id;
    this.subnetIds = pulumi.all(subnets.map((s) => s.id));
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({
      namespaceName: this.namespaceName,
      workgroupName: this.workgroupName,
      workgroupArn: this.workgroupArn,
      databaseName: this.databaseName,
      adminSecretArn: this.adminSecretArn,
      copyRoleArn: this.copyRoleArn,
      vpcId: this.vpcId,
      subnetIds: this.subnetIds,
      securityGroupId: this.securityGroupId,
    });
  }
}
