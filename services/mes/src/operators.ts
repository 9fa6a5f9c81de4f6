import { randomUUID } from 'node:crypto';
import {
  bearerToken,
  ForbiddenError,
  newSecret,
  NotFoundError,
  parseInput,
  reply,
  requireBearer,
  secretHash,
  UnauthorizedError,
} from '@orderscope/platform';
import { operatorsContract, setRequestActor, type Operator } from '@orderscope/orders';
import type { Request, RequestHandler, Router } from 'express';
import express from 'express';
import type { MesStore, OperatorRow } from './store.js';

const view = (o: OperatorRow): Operator => ({
  operator_id: o.operator_id,
  name: o.name,
  created_at: o.created_at.toISOString(),
  revoked_at: o.revoked_at?.toISOString() ?? null,
});

/** The operator a request was made by (requireOperator ran before). */
export function operatorOf(req: Request): string {
  const id = (req.res?.locals as { operatorId?: string } | undefined)?.operatorId;
  if (!id) throw new Error('requireOperator did not run on this route');
  return id;
}

/**
 * Requires an operator's key (`Authorization: Bearer <operator_key>`): none → 401
 * `operator_key_required`, one the MES never issued → 401 `operator_key_invalid`, a revoked one →
 * 403 `operator_revoked`. The operator's id goes on the request's span (never the name).
 */
export function requireOperator(store: MesStore): RequestHandler {
  return async (req, res, next) => {
    try {
      const key = bearerToken(req.headers);
      if (!key) throw new UnauthorizedError('an operator key is required: Authorization: Bearer <operator_key>', 'operator_key_required');
      const operator = await store.operatorByKeyHash(secretHash(key));
      if (!operator) throw new UnauthorizedError('the bearer token is not an operator key of this MES', 'operator_key_invalid');
      if (operator.revoked_at) {
        throw new ForbiddenError('operator_revoked', `operator ${operator.operator_id} was revoked at ${operator.revoked_at.toISOString()}`);
      }
      res.locals.operatorId = operator.operator_id;
      setRequestActor(operator.operator_id);
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** The admin's door to the operators (admin token): create one (its key answered once), list, revoke. */
export function operatorAdminRoutes(store: MesStore, adminToken: string): Router {
  const router = express.Router();
  const admin = requireBearer(adminToken);
  const { create, list, revoke } = operatorsContract;

  router.post(create.path, admin, async (req, res) => {
    const { name } = parseInput(create.request, req.body);
    const key = newSecret();
    const operator = await store.addOperator(randomUUID(), name, secretHash(key));
    res.status(201).json(reply(create, { ...view(operator), operator_key: key }));
  });

  router.get(list.path, admin, async (_req, res) => {
    res.json(reply(list, { operators: (await store.operators()).map(view) }));
  });

  router.delete(revoke.path, admin, async (req, res) => {
    const { operatorId } = parseInput(revoke.params, req.params);
    const operator = await store.revokeOperator(operatorId);
    if (!operator) throw new NotFoundError(`no operator ${operatorId}`);
    res.json(reply(revoke, view(operator)));
  });

  return router;
}
