import { z } from 'zod';
import { callEndpoint, endpoint, type ServiceClient } from '@orderscope/platform';

/**
 * The MES's operators: each has a key of their own (`Authorization: Bearer <operator_key>` on
 * every `/work-orders` route), made and revoked by an admin (`Authorization: Bearer <admin
 * token>`). The MES keeps only the key's hash; the key is in the creating answer, once.
 */
export const operatorSchema = z.object({
  operator_id: z.uuid(),
  name: z.string(),
  created_at: z.iso.datetime({ offset: true }),
  revoked_at: z.iso.datetime({ offset: true }).nullable(),
});
export type Operator = z.output<typeof operatorSchema>;

export const operatorsContract = {
  create: endpoint({
    method: 'POST',
    path: '/admin/operators',
    params: z.object({}),
    // A label for the admin (a shift, a station, a person): shown in the admin list only, never in
    // a span or a log line, which carry the operator's id.
    request: z.object({ name: z.string().trim().min(1).max(100) }).strict(),
    response: operatorSchema.extend({ operator_key: z.string().min(40) }),
  }),
  list: endpoint({
    method: 'GET',
    path: '/admin/operators',
    params: z.object({}),
    request: z.undefined(),
    response: z.object({ operators: z.array(operatorSchema) }),
  }),
  /** Idempotent: revoking a revoked operator answers with the first revocation. */
  revoke: endpoint({
    method: 'DELETE',
    path: '/admin/operators/:operatorId',
    params: z.object({ operatorId: z.uuid() }),
    request: z.undefined(),
    response: operatorSchema,
  }),
} as const;

export type CreatedOperator = z.output<typeof operatorsContract.create.response>;

/** The admin's client of the MES's operators (give it a ServiceClient with the admin token). */
export class OperatorsClient {
  constructor(private readonly mes: ServiceClient) {}

  async create(name: string): Promise<CreatedOperator> {
    return (await callEndpoint(this.mes, operatorsContract.create, { params: {}, body: { name } })).body;
  }

  async list(): Promise<Operator[]> {
    return (await callEndpoint(this.mes, operatorsContract.list, { params: {} })).body.operators;
  }

  async revoke(operatorId: string): Promise<Operator> {
    return (await callEndpoint(this.mes, operatorsContract.revoke, { params: { operatorId } })).body;
  }
}
