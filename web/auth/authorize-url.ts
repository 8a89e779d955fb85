/** The authorization request of code + PKCE (S256): the same in the pages and in the command-line sign-in. */
export function authorizeUrl(
  endpoint: string,
  request: { clientId: string; redirectUri: string; scope: string; state: string; codeChallenge: string },
): URL {
  const url = new URL(endpoint);
  url.search = new URLSearchParams({
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    response_type: 'code',
    scope: request.scope,
    state: request.state,
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
  }).toString();
  return url;
}
