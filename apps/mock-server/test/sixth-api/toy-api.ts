import type { ApiContext } from '../../src/core/api-context.js';
import type { ApiKeyConfig, WorkspaceConfig } from '../../src/core/api-keys.js';
import type { Job, JobPhase } from '../../src/core/job-store.js';
import { problem } from '../../src/core/problems.js';
import { jobTiming } from '../../src/core/timing.js';
import type { OperationHandler, VendorApi } from '../../src/core/vendor-api.js';
import { outcomeFor } from '../../src/core/vendor-api.js';
import { toyErrors } from './toy-errors.js';

/** A toy key: the shared fields plus an hourly limit. */
export interface ToyKeyConfig extends ApiKeyConfig {
  /** Jobs per hour. Default: no limit. */
  perHour?: number;
}

export interface ToyMockConfig {
  keys?: ToyKeyConfig[];
  workspaces?: WorkspaceConfig[];
}

export const TOY_DEV_KEYS: readonly ToyKeyConfig[] = [
  { key: 'toy-dev', workspace: 'ws_toy', perHour: 3, description: '3 jobs an hour, 2 credits' },
];

const PRICE = 1;
const STATE_BY_PHASE = { queued: 'waiting', running: 'busy', succeeded: 'ready', failed: 'broken' } as const satisfies Record<Exclude<JobPhase, 'cancelled'>, string>;

interface ToyInput {
  prompt: string;
  callbackUrl: string | undefined;
  origin: string;
}

export function createToyMock(config: ToyMockConfig, ctx: ApiContext<ToyKeyConfig>): VendorApi<ToyKeyConfig> {
  const credits = ctx.credits(config.workspaces ?? [{ id: 'ws_toy', credits: 2 }]);
  const jobs = ctx.jobs<ToyInput>();
  const jobDone = ctx.callback('jobDone');
  jobs.onSettled((job) => {
    if (job.outcome !== 'succeeded') credits.refund(job.owner, job.charged);
    if (job.input.callbackUrl !== undefined) jobDone.send({ url: job.input.callbackUrl, payload: view(job, job.input.origin) });
  });

  function view(job: Job<ToyInput>, origin: string) {
    const phase = jobs.phase(job);
    if (phase === 'cancelled') throw new Error('toy jobs are never cancelled');
    return { id: job.id, state: STATE_BY_PHASE[phase], ...(phase === 'succeeded' ? { image_url: ctx.url(origin, `/files/${job.id}.png`) } : {}) };
  }

  const handlers = {
    createJob(req, res) {
      const principal = ctx.principalOf(req);
      const body = req.body as { prompt: string; callback_url?: string };
      if (!credits.charge(principal.workspace, PRICE)) throw problem('insufficient_credits', 'no credits left');
      const job = jobs.create({
        owner: principal.workspace,
        input: { prompt: body.prompt, callbackUrl: body.callback_url, origin: ctx.originOf(req) },
        timing: jobTiming(ctx.timing, 5_000),
        charged: PRICE,
        ...outcomeFor(req, { message: 'the toy broke' }),
      });
      res.status(202).json(view(job, ctx.originOf(req)));
    },
    getJob(req, res) {
      const job = jobs.get(String(req.params.id), ctx.principalOf(req).workspace);
      if (!job) throw problem('not_found', `no job ${String(req.params.id)}`);
      res.json(view(job, ctx.originOf(req)));
    },
  } satisfies Record<string, OperationHandler>;

  return {
    errors: toyErrors,
    handlers,
    jobStatuses: STATE_BY_PHASE,
    rateLimit: {
      windowMs: 60 * 60 * 1000,
      // The key's own field, typed: no cast.
      limitOf: (principal, operation) => (operation.operationId === 'createJob' ? principal.config.perHour : undefined),
      headers: (state) => ({ 'X-Toy-Remaining': String(state.remaining) }),
    },
    routes: [
      {
        method: 'GET',
        path: '/files/{file}',
        handler(req, res) {
          const id = /^(.+)\.png$/.exec(String(req.params.file))?.[1];
          const job = id === undefined ? undefined : jobs.find(id);
          if (!job || jobs.phase(job) !== 'succeeded') throw problem('not_found', `no file ${String(req.params.file)}`);
          res.type('image/png').send(Buffer.from(`png of ${job.input.prompt}`));
        },
      },
    ],
  };
}
