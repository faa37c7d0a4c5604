// Log in with a token: POST /api/v1/session sets an HttpOnly cookie.
import { api } from './common.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.hidden = true;
  try {
    await api('POST', '/api/v1/session', { token: document.getElementById('token').value.trim() });
    location.assign('/');
  } catch (err) {
    error.textContent = err.status === 401 ? 'That token is not valid here (unknown or revoked).' : err.message;
    error.hidden = false;
  }
});

// Without a token file there is nothing to log in to.
fetch('/api/v1/me', { credentials: 'same-origin' }).then(async (res) => {
  if (!res.ok) return;
  const me = await res.json();
  if (!me.auth) document.getElementById('no-auth').hidden = false;
});
