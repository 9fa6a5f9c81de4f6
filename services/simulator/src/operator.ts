import { ServiceClient } from '@orderscope/platform';
import { OperatorsClient } from '@orderscope/orders';
import type { SimulatorClients } from './clients.js';
import { SetupError } from './errors.js';

/** The simulator's operators at work: the clients with their key, and the end of their shift. */
export interface OperatorShift {
  readonly clients: SimulatorClients;
  readonly operatorId: string;
  /** Revokes the key (best effort: a failure is logged, the run's report stands). */
  end(): Promise<void>;
}

/**
 * The MES wants an operator's key on every /work-orders call: the simulator makes its operators
 * one through the MES's admin API (the admin token it has for the faults), for this run only, and
 * revokes it at the end. Nothing to set up, and no key outlives the run it was made for (a run
 * killed with SIGKILL leaves one, listed by GET /admin/operators).
 */
export async function startOperatorShift(clients: SimulatorClients, label: string, log: (line: string) => void): Promise<OperatorShift> {
  if (!clients.admin) {
    throw new SetupError('the MES operators need a key: set ADMIN_TOKEN (or ADMIN_TOKEN_FILE) so the simulator can make one (POST /admin/operators)');
  }
  const admin = new OperatorsClient(clients.admin.mes);
  let operator;
  try {
    operator = await admin.create(label);
  } catch (err) {
    throw new SetupError(`cannot make the MES operators a key (POST /admin/operators): ${(err as Error).message}`);
  }
  const mes = new ServiceClient({ ...clients.mes.options, token: operator.operator_key });
  return {
    clients: { ...clients, mes },
    operatorId: operator.operator_id,
    end: async () => {
      try {
        await admin.revoke(operator.operator_id);
      } catch (err) {
        log(`operators: could not revoke operator ${operator.operator_id}: ${(err as Error).message}`);
      }
    },
  };
}
