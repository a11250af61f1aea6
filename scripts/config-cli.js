#!/usr/bin/env node
// `npx omnichannel-departments config export|plan|apply`: configuration as code from a CI job
// (API.md §16). Plain Node (fetch, no dependencies). Exit codes:
//   0  done (plan: nothing refused; with --detailed-exitcode, nothing to change either)
//   1  refused (a refusal in the plan, or the service answered 4xx)
//   2  plan only, with --detailed-exitcode: there are changes to apply
//   3  apply: the configuration changed since the plan (409), plan again
//   4  usage, connection or server error
'use strict';
/* global fetch -- Node's own (>= 18) */
const { readFileSync, writeFileSync } = require('node:fs');

const USAGE = `Usage: omnichannel-departments config <command> [options]

Commands:
  export [--out FILE]                  write the configuration (stdout by default)
  plan FILE [--save-plan PLAN]         show what applying FILE would change
           [--json] [--detailed-exitcode]
  apply FILE [--plan PLAN | --based-on VERSION]
                                       apply FILE; against the version of a saved plan
                                       (the reviewed one) or, without, a fresh plan

Connection (or the environment variables in brackets):
  --url URL          the service, e.g. https://departments.example.com [OMNICHANNEL_URL]
  --user-id ID       X-User-Id of the account used [OMNICHANNEL_USER_ID]
  --token TOKEN      its X-Auth-Token (from POST /api/v1/login) [OMNICHANNEL_TOKEN]

Exit codes: 0 done, 1 refused, 2 changes planned (--detailed-exitcode), 3 changed since
the plan (409), 4 usage or connection error.`;

class CliError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

function parseArgs(argv) {
  const positional = [];
  const options = {};
  const flags = new Set(['json', 'detailed-exitcode', 'help']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [key, inline] = arg.slice(2).split(/=(.*)/s);
    if (flags.has(key)) options[key] = true;
    else if (inline !== undefined) options[key] = inline;
    else if (i + 1 < argv.length) options[key] = argv[++i];
    else throw new CliError(`--${key} needs a value`, 4);
  }
  return { positional, options };
}

function connection(options) {
  const url = options.url ?? process.env.OMNICHANNEL_URL;
  const userId = options['user-id'] ?? process.env.OMNICHANNEL_USER_ID;
  const token = options.token ?? process.env.OMNICHANNEL_TOKEN;
  if (!url || !userId || !token) {
    throw new CliError(
      '--url, --user-id and --token (or their environment variables) are required',
      4,
    );
  }
  return { base: url.replace(/\/+$/, ''), userId, token };
}

async function call(conn, method, path, body) {
  let res;
  try {
    res = await fetch(`${conn.base}/api/v1/${path}`, {
      method,
      headers: {
        'x-user-id': conn.userId,
        'x-auth-token': conn.token,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new CliError(`cannot reach ${conn.base}: ${error.cause?.message ?? error.message}`, 4);
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { error: text.slice(0, 200) };
  }
  if (res.ok) return json;
  const message = `${method} ${path}: ${res.status} ${json.error ?? json.message ?? ''}`.trim();
  if (res.status === 409) throw new CliError(message, 3);
  throw new CliError(message, res.status < 500 ? 1 : 4);
}

function readJson(file, what) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read ${what} ${file}: ${error.message}`, 4);
  }
}

const show = (value) => JSON.stringify(value);

/** The plan as a readable diff: + created, ~ changed (before → after), - deleted. */
function formatPlan(plan) {
  const lines = [];
  const sign = { create: '+', update: '~', delete: '-' };
  for (const change of plan.changes) {
    lines.push(`${sign[change.action]} ${change.object} "${change.name}"`);
    for (const field of change.fields ?? []) {
      lines.push(
        change.action === 'create'
          ? `    ${field.field}: ${show(field.to)}`
          : `    ${field.field}: ${show(field.from)} → ${show(field.to)}`,
      );
    }
    const agents = change.agents;
    if (agents) {
      for (const username of agents.added) lines.push(`    agents: + ${username}`);
      for (const username of agents.removed) lines.push(`    agents: - ${username}`);
      for (const { username, from, to } of agents.changed) {
        lines.push(`    agents: ~ ${username} ${show(from)} → ${show(to)}`);
      }
    }
  }
  if (plan.widget?.appearing.length)
    lines.push(`widget: appears ${plan.widget.appearing.join(', ')}`);
  if (plan.widget?.vanishing.length)
    lines.push(`widget: vanishes ${plan.widget.vanishing.join(', ')}`);
  for (const refusal of plan.refusals) {
    lines.push(
      `refused: ${refusal.object} "${refusal.name}": ${refusal.error} [${refusal.errorType}]`,
    );
  }
  if (plan.changes.length === 0 && plan.refusals.length === 0) lines.push('No changes.');
  else lines.push(`${plan.changes.length} change(s), ${plan.refusals.length} refusal(s).`);
  return lines.join('\n');
}

async function main(argv) {
  const { positional, options } = parseArgs(argv);
  const [group, command, file] = positional;
  if (options.help || group !== 'config' || !['export', 'plan', 'apply'].includes(command)) {
    throw new CliError(USAGE, options.help ? 0 : 4);
  }
  const conn = connection(options);
  if (command === 'export') {
    const { configuration } = await call(conn, 'GET', 'livechat/configuration');
    const text = `${JSON.stringify(configuration, null, 2)}\n`;
    if (options.out) writeFileSync(options.out, text);
    else process.stdout.write(text);
    return 0;
  }
  if (!file) throw new CliError(`${command} needs the configuration FILE\n\n${USAGE}`, 4);
  const configuration = readJson(file, 'configuration');
  if (command === 'plan') {
    const { plan } = await call(conn, 'POST', 'livechat/configuration.plan', { configuration });
    if (options['save-plan'])
      writeFileSync(options['save-plan'], `${JSON.stringify(plan, null, 2)}\n`);
    process.stdout.write(`${options.json ? JSON.stringify(plan, null, 2) : formatPlan(plan)}\n`);
    if (plan.refusals.length) return 1;
    return options['detailed-exitcode'] && plan.changes.length ? 2 : 0;
  }
  let basedOn = options['based-on'] ?? (options.plan && readJson(options.plan, 'plan').basedOn);
  if (!basedOn) {
    const { plan } = await call(conn, 'POST', 'livechat/configuration.plan', { configuration });
    process.stdout.write(`${formatPlan(plan)}\n`);
    if (plan.refusals.length) return 1;
    basedOn = plan.basedOn;
  }
  const result = await call(conn, 'POST', 'livechat/configuration.apply', {
    configuration,
    basedOn,
  });
  process.stdout.write(
    result.applyId
      ? `Applied ${result.changes.length} change(s) (apply ${result.applyId}).\n`
      : 'Nothing to apply.\n',
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof CliError) {
      (error.code === 0 ? process.stdout : process.stderr).write(`${error.message}\n`);
      process.exit(error.code);
    }
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(4);
  },
);
