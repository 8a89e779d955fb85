/**
 * How the web pages sign people in: the OpenID Connect issuer (the stack's Cognito user pool,
 * the company's IdP, or the local provider), the public client (code + PKCE, no secret) and the
 * scopes to ask for. The pages read it from /sign-in.json (web/site.ts), written when the stack
 * deploys or starts; web/auth/session.ts checks what it reads against this shape.
 */
export interface SignInClient {
  issuer: string;
  clientId: string;
  scope: string;
}
