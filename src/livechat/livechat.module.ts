import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { PermissionsModule } from '../permissions/permissions.module';
import { UsersModule } from '../users/users.module';
import { AgentsController } from './agents/agents.controller';
import { AgentsService } from './agents/agents.service';
import { DepartmentLocks } from './department-locks';
import { DepartmentsController } from './departments/departments.controller';
import { DepartmentRecovery } from './departments/department-recovery';
import { DepartmentWriter } from './departments/department-writer';
import { DepartmentsService } from './departments/departments.service';
import {
  DepartmentHistoryEntry,
  DepartmentHistorySchema,
} from './history/department-history.schema';
import { DepartmentHistoryService } from './history/department-history.service';
import {
  DepartmentAgent,
  DepartmentAgentSchema,
} from './departments/schemas/department-agent.schema';
import { Department, DepartmentSchema } from './departments/schemas/department.schema';
import { RoutingController } from './routing/routing.controller';
import { RoutingService } from './routing/routing.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Department.name, schema: DepartmentSchema },
      { name: DepartmentAgent.name, schema: DepartmentAgentSchema },
      { name: DepartmentHistoryEntry.name, schema: DepartmentHistorySchema },
    ]),
    UsersModule,
    PermissionsModule,
  ],
  // RoutingController first: its `department/:_id/next-agent` must not be shadowed.
  controllers: [RoutingController, DepartmentsController, AgentsController],
  providers: [
    DepartmentLocks,
    DepartmentHistoryService,
    DepartmentWriter,
    DepartmentsService,
    DepartmentRecovery,
    AgentsService,
    RoutingService,
  ],
})
export class LivechatModule {}
