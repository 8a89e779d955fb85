import * as z from 'zod';

/**
 * How the web pages sign people in: the OpenID Connect issuer (the stack's Cognito user pool,
 * the company's IdP, or the local provider), the public client (code + PKCE, no secret) and the
 * scopes to ask for. The pages read it from /sign-in.json (web/site.ts), written when the stack
 * deploys or starts.
 */
export const signInClientSchema = z.object({
  issuer: z.url(),
  clientId: z.string().min(1),
  scope: z.string().min(1),
});
export type SignInClient = z.infer<typeof signInClientSchema>;
