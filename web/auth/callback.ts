/** The sign-in callback page (GET /auth/callback): completes the code exchange, then goes back where the person started. */
import { completeSignIn, loadSignInClient } from './session.ts';

const status = document.getElementById('status');

loadSignInClient()
  .then((client) => completeSignIn(client, new URL(location.href)))
  .then((returnTo) => location.replace(returnTo))
  .catch((error: unknown) => {
    // oauth4webapi's ResponseBodyError carries the provider's own error and description.
    const described = error as { error?: unknown; error_description?: unknown };
    const message =
      typeof described.error_description === 'string'
        ? `${String(described.error)}: ${described.error_description}`
        : error instanceof Error
          ? error.message
          : String(error);
    if (status) {
      status.textContent = `${document.documentElement.lang === 'en' ? 'Sign-in failed' : '登录失败'}: ${message}`;
      status.setAttribute('role', 'alert');
    }
    const again = document.getElementById('again');
    if (again) again.hidden = false;
  });
