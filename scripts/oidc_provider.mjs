// A real OpenID Connect provider on loopback (npm oidc-provider), for ZVT's tests and for single
// sign-on in development (`make run`). Never for production: its users and passwords come from
// the JSON file given as the only argument, and its signing keys are the package's development
// keys.
//
//   node scripts/oidc_provider.mjs scripts/demo_oidc.json
//
// The file: {"host": "127.0.0.1", "port": 5055 (0: a free port),
//            "clients": [{"client_id", "client_secret", "redirect_uris", "post_logout_redirect_uris",
//                         "id_token_ttl": seconds (default 3600)}],
//            "users": [{"login", "password", "sub", "claims": {...}, "amr": [...], "acr": "..."}]}
// Once it listens it prints one line of JSON, {"issuer": "http://127.0.0.1:<port>"}, on stdout.
// The login page is plain HTML: a form with `login` and `password`; consent is given at once.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const settings = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const host = settings.host || '127.0.0.1';
if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
  throw new Error(`the test provider listens on loopback only, not ${host}`);
}
const users = new Map(settings.users.map((user) => [user.login, user]));
const bySub = new Map(settings.users.map((user) => [user.sub, user]));
const ttls = new Map(settings.clients.map((client) => [client.client_id, client.id_token_ttl || 3600]));
const acrValues = [...new Set(settings.users.map((user) => user.acr).filter(Boolean))];

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, clientId, error) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head>
<body><h1>Sign in at the test provider</h1><p>for ${escape(clientId)}</p>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Login <input name="login" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form></body></html>`;
}

async function body(req) {
  let data = '';
  for await (const chunk of req) {
    data += chunk;
    if (data.length > 10000) throw new Error('request body too large');
  }
  return new URLSearchParams(data);
}

async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    if (action !== 'login' || req.method !== 'POST') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(loginPage(uid, params.client_id));
      return;
    }
    const form = await body(req);
    const user = users.get(form.get('login'));
    if (!user || user.password !== form.get('password')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(loginPage(uid, params.client_id, 'Wrong login or password.'));
      return;
    }
    const login = { accountId: user.sub };
    if (user.amr) login.amr = user.amr;
    if (user.acr) login.acr = user.acr;
    await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name === 'consent') {
    // A test provider: whatever the client asks for is granted, as an organisation's own
    // provider does for an application its administrator registered.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    if (prompt.details.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  throw new Error(`unexpected prompt ${prompt.name}`);
}

const server = http.createServer();
server.listen(settings.port || 0, host, () => {
  const { port } = server.address();
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const provider = new Provider(issuer, {
    clients: settings.clients.map(({ id_token_ttl: _ttl, ...client }) => ({
      response_types: ['code'], grant_types: ['authorization_code'], ...client,
    })),
    findAccount: async (_ctx, sub) => {
      const user = bySub.get(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...user.claims }) };
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'organisation', 'roles'],
      email: ['email', 'email_verified'],
    },
    // As Entra ID and Keycloak do: the profile and e-mail claims in the id_token itself.
    conformIdTokenClaims: false,
    acrValues,
    // ZVT always sends PKCE; requiring it here proves it.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      IdToken: (_ctx, _token, client) => ttls.get(client.clientId) || 3600,
      AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600,
    },
    cookies: { keys: ['zvt-test-provider-cookie-key-not-secret'] },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(req.url.split('?')[0]);
    if (!match) {
      callback(req, res);
      return;
    }
    try {
      await interaction(provider, req, res, match[1], match[2]);
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`interaction failed: ${error.message}`);
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
