import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { KeySpec, TableSpec } from '../topology.ts';
import { NAME_TAG } from '../wiring.ts';

const attribute = (key: KeySpec): Attribute => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/** A DynamoDB table as the topology describes it: on-demand, recoverable, expiring, kept. */
export class TopologyTable extends TableV2 {
  constructor(scope: Construct, id: string, spec: TableSpec) {
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
    Tags.of(this).add(NAME_TAG, spec.name);
  }
}
