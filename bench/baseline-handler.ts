/**
 * The bench's reference bundle (bench/load-ratio.ts): the DynamoDB document client built at module
 * scope with the options a function's composition root gives it (functions/lib/compose.ts through
 * shared/adapters/dynamodb/client.ts), and nothing else: no config, no zod, no logger. Bundled with
 * the functions' own esbuild options, so the banner and the injected prelude are in it too; every
 * bundle's cold load is reported as a multiple of this one's, measured in the same minutes.
 * Imported from the SDK directly, so that a change to the repository's own code never moves it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

/** Never invoked (the bench only imports the bundle); it uses the client, so that esbuild keeps it. */
export const handler = async () => ({ region: await documentClient.config.region() });
