import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessTokenStore, PhoneVault, SharedAccessToken } from '#shared/ports.ts';
import { type DocumentClient, isConditionFailure, UpdateBuilder } from './client.ts';
import { keys } from './keys.ts';

/**
 * A WeChat account's access token in one item of the main table (`WECHAT_TOKEN#<appId>`), encrypted
 * like a phone, with its expiry, a version bumped on each refresh and the refresh lease. Every
 * write is conditional on that item: two functions never both fetch a token.
 */
export class DynamoAccessTokenStore implements AccessTokenStore {
  constructor(
    private readonly db: DocumentClient,
    private readonly table: string,
    private readonly appId: string,
    private readonly vault: Pick<PhoneVault, 'encrypt' | 'decrypt'>,
  ) {}

  async read() {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.wechatToken(this.appId), ConsistentRead: true }),
    );
    const current: SharedAccessToken | undefined =
      typeof Item?.tokenCipher === 'string' && typeof Item.expiresAt === 'string' && typeof Item.version === 'number'
        ? { token: this.vault.decrypt(Item.tokenCipher), expiresAt: Item.expiresAt, version: Item.version }
        : undefined;
    return { current, leasedUntil: typeof Item?.leasedUntil === 'string' ? Item.leasedUntil : undefined };
  }

  async lease(owner: string, version: number | undefined, now: string, until: string) {
    const u = new UpdateBuilder().set('type', 'wechat-token').set('leaseOwner', owner).set('leasedUntil', until);
    const leasedUntil = u.name('leasedUntil');
    const versionName = u.name('version');
    u.condition(`(attribute_not_exists(${leasedUntil}) OR ${leasedUntil} < ${u.value(now)})`);
    u.condition(version === undefined ? `attribute_not_exists(${versionName})` : `${versionName} = ${u.value(version)}`);
    return this.apply(u);
  }

  async store(owner: string, token: SharedAccessToken) {
    const u = new UpdateBuilder()
      .set('tokenCipher', this.vault.encrypt(token.token))
      .set('expiresAt', token.expiresAt)
      .set('version', token.version)
      .remove('leaseOwner')
      .remove('leasedUntil');
    u.condition(`${u.name('leaseOwner')} = ${u.value(owner)}`);
    return this.apply(u);
  }

  private async apply(u: UpdateBuilder): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.table, Key: keys.wechatToken(this.appId), ...u.build() }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
