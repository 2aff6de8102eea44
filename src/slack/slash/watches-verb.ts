import { watchListMessage } from '../render/blocks-watch';
import { respondEphemeral } from '../send/reply';
import { requireInsider } from './guards';
import type { VerbContext } from './verb';

/** `/front-why watches`: this channel's active watches; only the asker sees the list. */
export async function watchesVerb(ctx: VerbContext): Promise<void> {
  if (!(await requireInsider(ctx))) return;
  const { deps, who } = ctx;
  const watches = await deps.store.listWatches({ teamId: who.teamId, channelId: who.channelId, state: 'active' });
  await respondEphemeral(ctx.respond, watchListMessage(watches, deps.watch.now()));
}
