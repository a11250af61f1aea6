import { Injectable } from '@nestjs/common';
import { KeyedLock } from '../common/keyed-lock';

/**
 * One lock per department id, shared by every service that writes a department or
 * its assignments (departments, agents, routing) so their writes never interleave.
 */
@Injectable()
export class DepartmentLocks extends KeyedLock {}
