// `npm run token -- --role viewer --campaign c1 [--campaign c2] [--manager am-1] [--label "TV lobby"]`: makes a
// dashboard token (printed once, stored hashed).
import { parseArgs } from 'node:util';
import { parseConfig, storeConfig, tokenRequest, fieldErrors } from '@pulseroom/schema';
import { applyMigrations, createToken, openStore } from '@pulseroom/schema/server';
import { CliError, runCli } from '@pulseroom/schema/cli/runCli';

const FLAG: Record<string, string> = {
  role: '--role',
  campaign_ids: '--campaign',
  manager_id: '--manager',
  label: '--label',
};

export function parseTokenArgs(args: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        role: { type: 'string' },
        campaign: { type: 'string', multiple: true },
        manager: { type: 'string' },
        label: { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new CliError(
      `${(e as Error).message}\nusage: npm run token -- --role admin|viewer|manager|wall [--campaign <id>]... [--manager <id>] [--label <text>]`,
    );
  }
  const campaigns = (values.campaign ?? []).flatMap((c) => c.split(',')).filter(Boolean);
  const parsed = tokenRequest.safeParse({
    role: values.role,
    campaign_ids: campaigns,
    manager_id: values.manager,
    label: values.label,
  });
  if (!parsed.success) {
    throw new CliError(
      fieldErrors(parsed.error)
        .map((f) => `${FLAG[f.path.split(/[.[]/)[0]] ?? f.path}: ${f.message}`)
        .join('\n'),
    );
  }
  return parsed.data;
}

runCli(import.meta.url, async (args) => {
  const request = parseTokenArgs(args);
  const store = await openStore(parseConfig(storeConfig));
  try {
    await applyMigrations(store.client);
    const { id, token } = await createToken(store.client, request);
    console.log(token);
    console.error(
      `created ${request.role} token ${id}${request.campaign_ids.length ? ` for ${request.campaign_ids.join(', ')}` : ''}${request.manager_id ? ` (manager ${request.manager_id})` : ''}; it is shown only once`,
    );
  } finally {
    await store.close();
  }
});
