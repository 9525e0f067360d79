// #/logga-in: sign in with the user name and password from the gateway's configuration.
import {session, signIn} from '../api.js';
import {h, field} from '../dom.js';
import {errorRegion, showProblem, clearProblem} from '../errors.js';

const AUDIT_ROLES = ['auditor', 'admin'];

export async function render(main, {afterSignIn}) {
  document.title = 'Logga in – knutpunkt';
  const username = h('input', {id: 'anvandarnamn', name: 'username', type: 'text', autocomplete: 'username',
    required: true, autocapitalize: 'none', spellcheck: 'false'});
  const password = h('input', {id: 'losenord', name: 'password', type: 'password', autocomplete: 'current-password',
    required: true});
  const fields = {username: {label: 'Användarnamn', input: username}, password: {label: 'Lösenord', input: password}};
  const problems = errorRegion();
  const submit = h('button', {type: 'submit', class: 'button'}, 'Logga in');
  const form = h('form', {class: 'form form--narrow', novalidate: true, 'aria-labelledby': 'logga-in-rubrik'},
    field('Användarnamn', username),
    field('Lösenord', password),
    h('div', {class: 'actions'}, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearProblem(problems, fields);
    const missing = Object.entries(fields).filter(([, f]) => !f.input.value)
      .map(([name]) => ({name, code: 'required'}));
    if (missing.length) {
      showProblem(problems, {status: 400, code: 'invalid_request', invalidParams: missing}, fields,
        'Inloggningen misslyckades').focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Loggar in…';
    try {
      const answer = await signIn(username.value.trim(), password.value);
      const roles = answer.user?.roles ?? [];
      if (!roles.some((role) => AUDIT_ROLES.includes(role))) {
        showProblem(problems, {status: 403, code: 'role_not_allowed'}, fields, 'Inloggningen misslyckades').focus();
        return;
      }
      session.set({token: answer.token, user: answer.user, expires_at: answer.expires_at});
      afterSignIn();
    } catch (error) {
      password.value = '';
      showProblem(problems, error, fields, 'Inloggningen misslyckades').focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Logga in';
    }
  });

  main.append(
    h('div', {class: 'page page--narrow'},
      h('h1', {tabindex: '-1', id: 'logga-in-rubrik'}, 'Logga in'),
      h('p', {class: 'lead'}, 'För socialtjänstinspektörer, dataskyddsombud, internkontroll och utredare av felaktiga utbetalningar.'),
      problems,
      form));
}
