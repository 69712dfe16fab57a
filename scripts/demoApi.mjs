// Calls to a running demo backend as its guest, shared by the browser tests
// (e2e/portal.test.mjs) and the answer recorder (record-demo-answers.mjs).

/** A Backstage token of the demo's guest user. */
export async function guestToken(backendUrl) {
  const response = await fetch(`${backendUrl}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!response.ok) throw new Error(`guest sign-in: HTTP ${response.status}`);
  return (await response.json()).backstageIdentity.token;
}

/**
 * Runs a template through the scaffolder's API as the guest and waits, up to
 * `timeoutSeconds`, for the task to end: its id and final status
 * (`completed`, `failed` or `cancelled`).
 */
export async function runTemplate(
  backendUrl,
  templateRef,
  values,
  timeoutSeconds = 300,
) {
  const headers = {
    authorization: `Bearer ${await guestToken(backendUrl)}`,
    'content-type': 'application/json',
  };
  const created = await fetch(`${backendUrl}/api/scaffolder/v2/tasks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ templateRef, values }),
  });
  if (!created.ok) {
    throw new Error(
      `${templateRef}: HTTP ${created.status} ${await created.text()}`,
    );
  }
  const { id } = await created.json();
  const url = new URL(`${backendUrl}/api/scaffolder/v2/tasks/`);
  url.pathname += encodeURIComponent(id);
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    try {
      const { status } = await (await fetch(url, { headers })).json();
      if (['completed', 'failed', 'cancelled'].includes(status)) {
        return { id, status };
      }
    } catch {
      // A backend restarting (it reloads on source changes) refuses a while.
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  throw new Error(
    `${templateRef}: task ${id} did not end in ${timeoutSeconds} s`,
  );
}
