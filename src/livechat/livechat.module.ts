import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { RateLimiter } from '../common/rate-limiter';
import { MongooseModule } from '@nestjs/mongoose';
import { CoordinationModule } from './write-path/coordination.module';
import { PermissionsModule } from '../permissions/permissions.module';
import { SettingsModule } from '../settings/settings.module';
import { UsersModule } from '../users/users.module';
import { AgentsController } from './agents/agents.controller';
import { AgentsService } from './agents/agents.service';
import { LivechatUserLifecycle } from './agents/livechat-user-lifecycle';
import { BusinessHour, BusinessHourSchema } from './business-hours/business-hour.schema';
import { BusinessHoursController } from './business-hours/business-hours.controller';
import { BusinessHoursService } from './business-hours/business-hours.service';
import { CLOCK, systemClock } from './business-hours/clock';
import { DepartmentsController } from './departments/departments.controller';
import { DepartmentRecovery } from './write-path/department-recovery';
import { DepartmentWriter } from './write-path/department-writer';
import { DerivedData } from './write-path/derived-data';
import { DepartmentJournal } from './write-path/journal';
import { DepartmentJournalEntry, DepartmentJournalSchema } from './write-path/journal.schema';
import { StateWrites } from './write-path/state-writes';
import { DepartmentLeases } from './write-path/department-leases';
import { JournalReplay } from './write-path/journal-replay';
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
import { LivechatEvents } from './livechat-events';
import { OfflineMessageOutbox } from './offline-messages/offline-message-outbox';
import { OfflineMessageRateLimit } from './offline-messages/offline-message-rate-limit.guard';
import {
  OfflineMessage,
  OfflineMessageSchema,
} from './offline-messages/offline-message.schema';
import { OfflineMessagesController } from './offline-messages/offline-messages.controller';
import { OfflineMessagesService } from './offline-messages/offline-messages.service';
import { RoutingController } from './routing/routing.controller';
import { RoutingService } from './routing/routing.service';
import { WidgetController } from './widget/widget.controller';
import { WidgetService } from './widget/widget.service';
import { LivechatVersion } from './livechat-version.repository';
import { DepartmentCatalog } from './departments/department-catalog';
import { LivechatVersionDocument, LivechatVersionSchema } from './livechat-version.schema';
import { MonitorsService } from './units/monitors.service';
import { MonitorsController, UnitsController } from './units/units.controller';
import { UnitMonitorsRepository, UnitsRepository } from './units/units.repository';
import { DepartmentsRepository } from './departments/departments.repository';
import { AssignmentsRepository } from './departments/assignments.repository';
import { DepartmentHistoryRepository } from './history/department-history.repository';
import { OfflineMessagesRepository } from './offline-messages/offline-messages.repository';
import { BusinessHoursRepository } from './business-hours/business-hours.repository';
import { Unit, UnitMonitor, UnitMonitorSchema, UnitSchema } from './units/unit.schema';
import { UnitsService } from './units/units.service';
import { ConfigurationController } from './configuration/configuration.controller';
import { ConfigurationRepository } from './configuration/configuration.repository';
import {
  ConfigurationApply,
  ConfigurationApplySchema,
  DeletedDepartment,
  DeletedDepartmentSchema,
} from './configuration/configuration.schema';
import { ConfigurationService } from './configuration/configuration.service';
import { DepartmentRestoreService } from './configuration/department-restore.service';
import { DepartmentConverger } from './configuration/department-state';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Department.name, schema: DepartmentSchema },
      { name: DepartmentAgent.name, schema: DepartmentAgentSchema },
      { name: DepartmentHistoryEntry.name, schema: DepartmentHistorySchema },
      { name: DepartmentJournalEntry.name, schema: DepartmentJournalSchema },
      { name: BusinessHour.name, schema: BusinessHourSchema },
      { name: OfflineMessage.name, schema: OfflineMessageSchema },
      { name: Unit.name, schema: UnitSchema },
      { name: UnitMonitor.name, schema: UnitMonitorSchema },
      { name: LivechatVersionDocument.name, schema: LivechatVersionSchema },
      { name: ConfigurationApply.name, schema: ConfigurationApplySchema },
      { name: DeletedDepartment.name, schema: DeletedDepartmentSchema },
    ]),
    UsersModule,
    PermissionsModule,
    SettingsModule,
    CoordinationModule,
    AuthModule,
  ],
  // RoutingController first: its `department/:_id/next-agent` must not be shadowed.
  controllers: [
    RoutingController,
    DepartmentsController,
    AgentsController,
    WidgetController,
    BusinessHoursController,
    OfflineMessagesController,
    UnitsController,
    MonitorsController,
    ConfigurationController,
  ],
  providers: [
    LivechatEvents,
    DepartmentHistoryService,
    DepartmentJournal,
    DerivedData,
    StateWrites,
    DepartmentLeases,
    JournalReplay,
    DepartmentWriter,
    DepartmentsService,
    DepartmentRecovery,
    AgentsService,
    LivechatUserLifecycle,
    RoutingService,
    WidgetService,
    DepartmentCatalog,
    BusinessHoursService,
    OfflineMessagesService,
    OfflineMessageOutbox,
    OfflineMessageRateLimit,
    // Data access: every model of the feature is injected into one of these (and the
    // write path, write-path/), nowhere else (test/architecture.e2e-spec.ts).
    DepartmentsRepository,
    AssignmentsRepository,
    DepartmentHistoryRepository,
    OfflineMessagesRepository,
    BusinessHoursRepository,
    UnitsRepository,
    UnitMonitorsRepository,
    LivechatVersion,
    UnitsService,
    MonitorsService,
    ConfigurationRepository,
    DepartmentConverger,
    ConfigurationService,
    DepartmentRestoreService,
    { provide: CLOCK, useValue: systemClock },
    // The widget's per-IP counters (the auth module keeps its own per-user ones).
    RateLimiter,
  ],
})
export class LivechatModule {}
