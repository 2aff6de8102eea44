import { performance } from 'node:perf_hooks';
import type { App, ReceiverEvent } from '@slack/bolt';
import type { DiagnoseOutcome } from '../../diagnosis';
import type { Metrics, SlackRequestKind } from '../../metrics';

/** What the listeners report to the metrics; `SlackDeps.metrics`. */
export interface RequestMetrics {
  /** Counts a run's diagnoses, and makes `request` (the Slack request's body), when given, count towards time to answer. */
  diagnosed(outcome: DiagnoseOutcome, request?: object): void;
  /** Counts an unknown wording recorded: `isNew` when no one had seen it before. */
  unknownWording(isNew: boolean): void;
  /**
   * The answer to `request` is `work`, which goes on after its listener returned: its time to answer ends when
   * `work` settles rather than with the listener.
   */
  answerAfter(request: object, work: Promise<unknown>): void;
}

export interface RequestTimer extends RequestMetrics {
  /** Wraps the app's `processEvent`: installed last, so the time counted includes the guard's and the gate's. */
  instrument(app: App): void;
}

/**
 * Times every Slack request at the one place each passes through (`processEvent`, as the gate and the guard do):
 * time to ack when Bolt acknowledges it, time to answer once its listeners are done, counted only for requests
 * that ran a diagnosis (a status command or a chat message that is no Front error is no answer to wait for). The
 * request is named by its body, which Bolt hands the listeners as it is (an AsyncLocalStorage would tell it too, but
 * would have Node run a hook for every promise of the process).
 */
export function requestTimer(metrics: Metrics, now: () => number = () => performance.now()): RequestTimer {
  const diagnosing = new WeakSet<object>();
  const open = new WeakMap<object, { kind: SlackRequestKind; started: number }>();
  const answeredLater = new WeakSet<object>();
  const answered = (request: object) => {
    const timing = open.get(request);
    open.delete(request);
    if (timing && diagnosing.delete(request))
      metrics.slackTiming('answer', timing.kind, (now() - timing.started) / 1000);
  };
  const instrument = (app: App) => {
    const handle = app.processEvent.bind(app);
    app.processEvent = async (event: ReceiverEvent): Promise<void> => {
      const started = now();
      const kind = requestKind(event.body as Record<string, unknown>);
      open.set(event.body, { kind, started });
      const ack: ReceiverEvent['ack'] = async (response) => {
        await event.ack(response);
        metrics.slackTiming('ack', kind, (now() - started) / 1000);
      };
      try {
        await handle({ ...event, ack });
      } finally {
        if (!answeredLater.has(event.body)) answered(event.body);
      }
    };
  };
  return {
    instrument,
    diagnosed(outcome, request) {
      if (request) diagnosing.add(request);
      if (!outcome.ok) return metrics.diagnosis('none', 'unreadable');
      if (outcome.diagnoses.length === 0) return metrics.diagnosis('none', 'none');
      for (const d of outcome.diagnoses) metrics.diagnosis(d.cause, d.status);
    },
    unknownWording: (isNew) => metrics.unknownWording(isNew),
    answerAfter(request, work) {
      answeredLater.add(request);
      const settled = () => {
        answeredLater.delete(request);
        answered(request);
      };
      work.then(settled, settled);
    },
  };
}

function requestKind(body: Record<string, unknown>): SlackRequestKind {
  if (typeof body.command === 'string') return 'command';
  switch (body.type) {
    case 'block_actions':
      return 'action';
    case 'event_callback':
      return 'event';
    case 'view_submission':
    case 'view_closed':
      return 'view';
    default:
      return 'other';
  }
}
