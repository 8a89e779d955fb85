import type { ContactSubject, CustomerContact, PhoneVault, RetentionStore, SurveyStore } from '#shared/ports.ts';
import { NotFoundError } from '#shared/errors.ts';

/**
 * The customer's own number, decrypted: from the survey a detractor's alert or a call task came
 * from, or, for a retention task, from the customer's history (their latest visit's number).
 */
export class VaultCustomerContact implements CustomerContact {
  constructor(
    private readonly surveys: Pick<SurveyStore, 'get'>,
    private readonly customers: Pick<RetentionStore, 'history'>,
    private readonly vault: Pick<PhoneVault, 'decrypt'>,
  ) {}

  async reveal(subject: ContactSubject): Promise<{ phone: string }> {
    const cipher = subject.retention
      ? (await this.customers.history(subject.retention.phoneHash))?.contact?.phoneCipher
      : subject.surveyId && (await this.surveys.get(subject.surveyId))?.phoneCipher;
    if (!cipher) throw new NotFoundError("the customer's number is no longer kept");
    return { phone: this.vault.decrypt(cipher) };
  }
}
