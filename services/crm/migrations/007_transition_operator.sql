-- Up Migration
-- Who made a transition, beyond the service: the MES operator (their id at the MES; never a name),
-- for the steps MANUFACTURING_STARTED … SHIPPED. Older transitions and every other step have none.
ALTER TABLE order_transitions ADD COLUMN operator_id uuid;
