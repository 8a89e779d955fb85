/** Where a page carries its sign-in client (issuer, client id, scope): JSON in a `<script type="application/json">`. */
export const SIGN_IN_ELEMENT_ID = 'sign-in-client';
