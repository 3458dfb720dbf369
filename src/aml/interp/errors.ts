/**
 * Evaluation errors carry ACPICA's status names (`AE_AML_DIVIDE_BY_ZERO`...,
 * ACPICA `include/acexcep.h`), so a result can be compared with acpiexec's word for word.
 */
import { NvError } from '../../core/errors.js';

export type AmlStatus =
  | 'AE_AML_OPERAND_TYPE'
  | 'AE_AML_OPERAND_VALUE'
  | 'AE_AML_DIVIDE_BY_ZERO'
  | 'AE_AML_BUFFER_LIMIT'
  | 'AE_AML_STRING_LIMIT'
  | 'AE_AML_PACKAGE_LIMIT'
  | 'AE_AML_REGION_LIMIT'
  | 'AE_AML_NUMERIC_OVERFLOW'
  | 'AE_AML_UNINITIALIZED_LOCAL'
  | 'AE_AML_UNINITIALIZED_ARG'
  | 'AE_AML_UNINITIALIZED_ELEMENT'
  | 'AE_AML_LOOP_TIMEOUT'
  | 'AE_AML_METHOD_LIMIT'
  | 'AE_AML_MUTEX_ORDER'
  | 'AE_AML_MUTEX_NOT_ACQUIRED'
  | 'AE_AML_NO_OPERAND'
  | 'AE_AML_BAD_OPCODE'
  | 'AE_AML_INTERNAL'
  | 'AE_AML_NO_RETURN_VALUE'
  | 'AE_AML_UNINITIALIZED_NODE'
  | 'AE_AML_TARGET_TYPE'
  | 'AE_NOT_EXIST'
  | 'AE_NOT_FOUND'
  | 'AE_ALREADY_EXISTS'
  | 'AE_NOT_IMPLEMENTED'
  | 'AE_NO_HANDLER'
  | 'AE_TYPE'
  | 'AE_STACK_OVERFLOW'
  | 'AE_TIME';

/** An AML evaluation that ended in an error, as ACPICA names it, with where it happened. */
export class AmlError extends NvError {
  constructor(
    readonly status: AmlStatus,
    reason: string,
    /** Method being executed (`\_SB_.NVDR.NV00._DSM`), '' at table load. */
    readonly method = '',
  ) {
    super('AML', method, undefined, `${status}: ${reason}`);
  }
}

export function amlFail(status: AmlStatus, reason: string): never {
  throw new AmlError(status, reason);
}
