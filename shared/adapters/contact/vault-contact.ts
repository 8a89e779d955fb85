import type { Alert } from '#shared/domain/records.ts';
import type { CustomerContact, PhoneVault, SurveyStore } from '#shared/ports.ts';
import { NotFoundError } from '#shared/errors.ts';

/** The customer's own number: decrypted from the survey the alert came from. */
export class VaultCustomerContact implements CustomerContact {
  constructor(
    private readonly surveys: Pick<SurveyStore, 'get'>,
    private readonly vault: Pick<PhoneVault, 'decrypt'>,
  ) {}

  async reveal(alert: Alert): Promise<{ phone: string }> {
    const survey = await this.surveys.get(alert.surveyId);
    if (!survey) throw new NotFoundError("the customer's survey is no longer kept");
    return { phone: this.vault.decrypt(survey.phoneCipher) };
  }
}
