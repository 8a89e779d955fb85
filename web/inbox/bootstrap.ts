/** What the inbox page (web/build.ts) tells the client about this installation: names and the closure lists, never tokens. */
import * as z from 'zod/mini';
import type { Locale } from '#shared/config/schema.ts';
import { localizedNameSchema, type NamedServiceType } from '#web/lib/service-types.ts';

export interface InboxBootstrap {
  brand: string;
  defaultLocale: Locale;
  stores: { id: string; name: string }[];
  departments: { id: string; name: string }[];
  /** Service types with a survey plan, and their names if the config gives them. */
  serviceTypes: NamedServiceType[];
  closure: { rootCauses: string[]; resolutions: { id: string; name: Record<Locale, string> }[] };
}

export const INBOX_ELEMENT_ID = 'inbox-bootstrap';

const named = z.array(z.object({ id: z.string(), name: z.string() }));
const bootstrapSchema = z.object({
  brand: z.string(),
  defaultLocale: z.enum(['zh-CN', 'en']),
  stores: named,
  departments: named,
  serviceTypes: z.array(z.object({ id: z.string(), name: z.optional(localizedNameSchema) })),
  closure: z.object({
    rootCauses: z.array(z.string()),
    resolutions: z.array(z.object({ id: z.string(), name: localizedNameSchema })),
  }),
}) satisfies z.ZodMiniType<InboxBootstrap>;

export function readInboxBootstrap(document: Document): InboxBootstrap {
  const parsed = bootstrapSchema.safeParse(JSON.parse(document.getElementById(INBOX_ELEMENT_ID)?.textContent || 'null'));
  if (!parsed.success) throw new Error('the page carries no valid inbox configuration');
  return parsed.data;
}
