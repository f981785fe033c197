/** Type tests for the scheduler's public API (checked by tsc through vitest's typecheck mode; never run). */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  MissedTickPolicy,
  Rota,
  ScheduleCycle,
  ScheduleInfo,
  ScheduleOptions,
  SchedulerHandle,
  ScheduleStatus,
  ScheduleTickEvent,
  TriggerResult,
} from '../../src/index.js';

declare const rota: Rota;

describe('scheduler API', () => {
  it('schedule() keeps the payload type and takes typed options', () => {
    expectTypeOf(rota.schedule('n', '* * * * *', 'q', { a: 1 })).resolves.toEqualTypeOf<ScheduleInfo<{ a: number }>>();
    expectTypeOf<ScheduleOptions['onMissed']>().toEqualTypeOf<MissedTickPolicy | undefined>();
    expectTypeOf<MissedTickPolicy>().toEqualTypeOf<'skip' | { catchUp: number }>();
    // @ts-expect-error unknown option names are type errors (and ValidationErrors at run time)
    void rota.schedule('n', '* * * * *', 'q', {}, { tz: 'UTC' });
  });

  it('returns typed records', () => {
    expectTypeOf(rota.unschedule('n')).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(rota.setScheduleEnabled('n', false)).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(rota.trigger('n')).resolves.toEqualTypeOf<TriggerResult>();
    expectTypeOf(rota.scheduleStatus()).resolves.toEqualTypeOf<ScheduleStatus[]>();
    expectTypeOf(rota.scheduleCycles({ status: ['missed'] })).resolves.toEqualTypeOf<ScheduleCycle[]>();
    expectTypeOf(rota.startScheduler({ pollMs: 500 })).toEqualTypeOf<SchedulerHandle>();
  });

  it('has typed events', () => {
    rota.on('schedule:missed', (e) => expectTypeOf(e).toEqualTypeOf<ScheduleTickEvent>());
    rota.on('schedule:tick', (e) => expectTypeOf(e.status).toEqualTypeOf<'enqueued' | 'caught_up' | 'missed'>());
  });
});
