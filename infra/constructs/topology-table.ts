import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  Billing,
  type CfnGlobalTable,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { KeySpec, TableSpec } from '../topology.ts';
import { NAME_TAG } from '../wiring.ts';
import { grantKeyUseVia } from './key-use.ts';

const attribute = (key: KeySpec): Attribute => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/** The item operations the adapters in shared/adapters/dynamodb use (transactions need each item's own). */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'];
const WRITE_ACTIONS = ['dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** DynamoDB decrypts the table key with the caller's rights; writers also have it encrypt. */
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey'];

/** A DynamoDB table as the topology describes it: on-demand, recoverable, expiring, kept, under the data key. */
export class TopologyTable extends TableV2 {
  private readonly dataKey: IKey;
  private readonly indexNames: string[];

  /** `encryptionKey`: the stack's customer-managed data key. */
  constructor(scope: Construct, id: string, spec: TableSpec, encryptionKey: IKey) {
    super(scope, id, {
      partitionKey: attribute(spec.partitionKey),
      sortKey: attribute(spec.sortKey),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: spec.timeToLiveAttribute,
      dynamoStream: spec.stream ? StreamViewType[spec.stream] : undefined,
      globalSecondaryIndexes: spec.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      })),
      encryption: TableEncryptionV2.awsManagedKey(),
      // Answers and rollups outlive any stack: deleting the stack or a key-schema change
      // that would replace the table must fail rather than drop the data.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    // TableV2 renders a customer-managed key per replica region, which a region-agnostic stack
    // does not know; the table's one replica is the stack's own region, so it is named here.
    (this.node.defaultChild as CfnGlobalTable).addPropertyOverride(
      'Replicas.0.SSESpecification.KMSMasterKeyId',
      encryptionKey.keyArn,
    );
    this.dataKey = encryptionKey;
    this.indexNames = spec.indexes.map((index) => index.name);
    Tags.of(this).add(NAME_TAG, spec.name);
  }

  /**
   * Exactly what a `read` or `readWrite` binding needs: item reads and queries on the table,
   * queries on each of its indexes by name, item writes for `readWrite`; the data key through DynamoDB.
   */
  grantData(grantee: IGrantable, access: 'read' | 'readWrite'): void {
    const writes = access === 'readWrite';
    Grant.addToPrincipal({
      grantee,
      actions: writes ? [...READ_ACTIONS, ...WRITE_ACTIONS] : READ_ACTIONS,
      resourceArns: [this.tableArn],
    });
    if (this.indexNames.length) {
      Grant.addToPrincipal({
        grantee,
        actions: ['dynamodb:Query'],
        resourceArns: this.indexNames.map((name) => `${this.tableArn}/index/${name}`),
      });
    }
    grantKeyUseVia(grantee, this.dataKey, 'dynamodb', writes ? [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] : KEY_READ_ACTIONS);
  }

  /**
   * A stream's records are encrypted with the table's key, which TableV2 does not know here (the
   * key is set on the replica above): a stream reader (DynamoEventSource calls this) may decrypt too.
   */
  override grantStreamRead(grantee: IGrantable): Grant {
    grantKeyUseVia(grantee, this.dataKey, 'dynamodb', KEY_READ_ACTIONS);
    return super.grantStreamRead(grantee);
  }
}
