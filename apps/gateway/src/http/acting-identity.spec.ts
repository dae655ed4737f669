/**
 * Who acts is who the token says. Every request body that makes an operator (or a customer) act,
 * a review decision, a cancel on the customer's behalf, a route change, a dead-letter replay, a
 * degraded mode's settings, a finding resolved, a reconciliation run, a task or review closed, a
 * return, is refused when it names an actor: the controllers pass the token's subject on (to the
 * audit and to the workflow updates), and a body naming someone else is not even valid.
 */
import { REPLAY_REQUEST_SCHEMA } from '../dead-letters/dead-letter-api.schemas';
import { CONFIGURE_REQUEST_SCHEMA } from '../degraded-modes/degraded-modes-api.schemas';
import { ROUTE_CHANGE_REQUEST_SCHEMA } from '../migration/migration-api.schemas';
import { RETURN_REQUEST_SCHEMA } from '../orders/order-api.schemas';
import { CLOSE_TASK_REQUEST_SCHEMA } from '../operator-tasks/operator-task-api.schemas';
import { CLOSE_REVIEW_REQUEST_SCHEMA } from '../operator-tasks/post-hoc-review-api.schemas';
import { CANCEL_FOR_CUSTOMER_REQUEST_SCHEMA, REVIEW_REQUEST_SCHEMA } from '../ops/ops-api.schemas';
import {
  RESOLVE_REQUEST_SCHEMA,
  RUN_REQUEST_SCHEMA,
} from '../reconciliation/reconciliation-api.schemas';
import { Problem } from './problem';
import { bodyValidator } from './validation';

const ACTING_BODIES = {
  REVIEW_REQUEST_SCHEMA,
  CANCEL_FOR_CUSTOMER_REQUEST_SCHEMA,
  RESOLVE_REQUEST_SCHEMA,
  RUN_REQUEST_SCHEMA,
  REPLAY_REQUEST_SCHEMA,
  ROUTE_CHANGE_REQUEST_SCHEMA,
  CONFIGURE_REQUEST_SCHEMA,
  CLOSE_REVIEW_REQUEST_SCHEMA,
  CLOSE_TASK_REQUEST_SCHEMA,
  RETURN_REQUEST_SCHEMA,
};
const ACTOR_FIELD = /operator|actor|^by$|By$|user|subject|principal|sub$/i;
const FORGED_FIELDS = ['operatorId', 'by', 'requestedBy', 'decidedBy', 'actor', 'sub'];

describe('request bodies that make someone act name no actor', () => {
  it.each(Object.entries(ACTING_BODIES))(
    '%s has no actor field and takes no others',
    (_, schema) => {
      const properties = Object.keys((schema as { properties: object }).properties);
      expect(properties.filter((name) => ACTOR_FIELD.test(name))).toEqual([]);
      expect((schema as { additionalProperties?: boolean }).additionalProperties).toBe(false);
    },
  );

  it('refuses a valid review decision once it names an operator, with the field at fault', () => {
    const validate = bodyValidator(REVIEW_REQUEST_SCHEMA);
    const decision = { decision: 'approve', note: 'checked by phone' };
    expect(validate(decision)).toEqual(decision);
    for (const field of FORGED_FIELDS) {
      let refusal: unknown;
      try {
        validate({ ...decision, [field]: 'ops-someone-else' });
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(Problem);
      expect((refusal as Problem).status).toBe(400);
      expect(JSON.stringify((refusal as Problem).errors)).toContain(field);
    }
  });

  it('refuses a degraded mode setting that names who set it', () => {
    const validate = bodyValidator(CONFIGURE_REQUEST_SCHEMA);
    expect(() => validate({ reason: 'night shift', by: 'ops-someone-else' })).toThrow(Problem);
  });
});
