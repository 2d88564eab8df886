// The IOC wall screen: the whole city. Without a stored token it takes a demo IOC token from the development
// endpoint; a token can also be pasted.

import { initI18n, t, translate } from './i18n.js';
import { loadToken, saveToken, clearToken, usableClaims, requestDevToken, scopeOf, DevTokensUnavailable } from './auth.js';
import { runScreen } from './screen.js';

const TOKEN_KEY = 'ioctwin.wall.token';
const dialog = document.getElementById('token-dialog');

/** Shows the token dialog until a usable token is pasted or a demo token is taken; null when cancelled. */
function askForToken(message, { cancellable }) {
  translate(dialog);
  dialog.querySelector('.token-message').textContent = message ?? '';
  dialog.querySelector('[value="cancel"]').hidden = !cancellable;
  const field = dialog.querySelector('textarea');
  field.value = '';
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.onclose = async () => {
      if (dialog.returnValue === 'use' && usableClaims(field.value.trim())) {
        resolve(field.value.trim());
      } else if (dialog.returnValue === 'demo') {
        try {
          resolve(await requestDevToken({ role: 'ioc', name: 'IOC wall' }));
        } catch (error) {
          resolve(await askForToken(error instanceof DevTokensUnavailable ? t('token.noDemo') : error.message, { cancellable }));
        }
      } else if (cancellable && (dialog.returnValue === 'cancel' || dialog.returnValue === '')) {
        resolve(null);
      } else {
        resolve(await askForToken(t('token.invalid'), { cancellable }));
      }
    };
  });
}

async function obtainToken() {
  const stored = loadToken(TOKEN_KEY);
  if (stored && usableClaims(stored)) return stored;
  try {
    return await requestDevToken({ role: 'ioc', name: 'IOC wall' });
  } catch (error) {
    return askForToken(error instanceof DevTokensUnavailable ? t('token.noDemo') : error.message, { cancellable: false });
  }
}

async function main() {
  await initI18n();
  const token = await obtainToken();
  saveToken(TOKEN_KEY, token);
  runScreen(document.getElementById('app'), token, scopeOf(usableClaims(token)), {
    onChangeToken: async () => {
      const pasted = await askForToken('', { cancellable: true });
      if (pasted) {
        saveToken(TOKEN_KEY, pasted);
        location.reload();
      }
    },
    onUnauthorized: async () => {
      clearToken(TOKEN_KEY);
      saveToken(TOKEN_KEY, await askForToken(t('token.rejected'), { cancellable: false }));
      location.reload();
    },
  });
}

main();
