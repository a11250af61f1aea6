import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, RequestActor } from '../../auth/auth.decorators';
import type { Actor, AuthenticatedUser } from '../../auth/caller';
import { RequirePermissions } from '../../auth/route-permissions';
import { pageEnvelope, parsePage } from '../../common/pagination';
import { PageQueryDto } from '../departments/dto/department-queries.dto';
import { CallerScope } from '../scope/caller-scope';
import type { Scope } from '../scope/scope';
import { ApplyConfigurationDto, PlanConfigurationDto } from './configuration.dto';
import { ConfigurationService } from './configuration.service';
import { DepartmentRestoreService } from './department-restore.service';

/**
 * Configuration as code and undo (API.md §16, our extension). Each route declares the least
 * permission that can use it; the service checks the view or manage permission of every
 * part a request reads or touches, and a monitor's units.
 */
@ApiTags('configuration')
@Controller('livechat')
export class ConfigurationController {
  constructor(
    private readonly configuration: ConfigurationService,
    private readonly restore: DepartmentRestoreService,
  ) {}

  @Get('configuration')
  @ApiOperation({
    summary:
      'The configuration the caller may see, as one versioned document (departments with agents, ' +
      'units with monitors, business hours, widget/offline-form/mail settings; never a secret)',
  })
  @RequirePermissions('view-livechat-departments')
  export(@Caller() caller: AuthenticatedUser, @CallerScope() scope: Scope) {
    return this.configuration.export(caller, scope);
  }

  @Post('configuration.plan')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'What applying a document would change (created, changed field by field, deleted; agents; ' +
      'the widget) and what would be refused; writes nothing',
  })
  @RequirePermissions('view-livechat-departments')
  plan(
    @Body() body: PlanConfigurationDto,
    @Caller() caller: AuthenticatedUser,
    @CallerScope() scope: Scope,
  ) {
    return this.configuration.plan(caller, scope, body.configuration);
  }

  @Post('configuration.apply')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Applies a document if the live configuration is still the plan's `basedOn` (else 409 " +
      'error-configuration-changed, nothing written); refused whole if any part is refused',
  })
  @RequirePermissions(
    'manage-livechat-departments',
    'manage-livechat-units',
    'manage-livechat-business-hours',
    'edit-privileged-setting',
  )
  apply(
    @Body() body: ApplyConfigurationDto,
    @Caller() caller: AuthenticatedUser,
    @CallerScope() scope: Scope,
    @RequestActor() actor: Actor,
  ) {
    return this.configuration.apply(caller, scope, actor, body.configuration, body.basedOn);
  }

  @Post('department/:_id/history/:entryId/restore')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Restores the department to its state right after this history entry (fields, unit, ' +
      'schedule, the agents who are still agents); recorded as a new entry',
  })
  @RequirePermissions('manage-livechat-departments')
  async restoreVersion(
    @Param('_id') id: string,
    @Param('entryId') entryId: string,
    @CallerScope() scope: Scope,
    @RequestActor() actor: Actor,
  ) {
    return this.restore.restoreVersion(id, entryId, actor, scope);
  }

  @Get('departments/deleted')
  @ApiOperation({
    summary: 'Departments deleted within Omnichannel_department_restore_days, newest first',
  })
  @ApiOkResponse({
    description: '{ departments: [{ _id, name, deletedAt, deletedBy }], count, offset, total }',
  })
  @RequirePermissions('view-livechat-departments')
  async listDeleted(@Query() query: PageQueryDto, @CallerScope() scope: Scope) {
    const page = parsePage(query, ['name', 'deletedAt'], { deletedAt: -1 });
    const { departments, total } = await this.restore.listDeleted(scope, page);
    return pageEnvelope('departments', departments, page, total);
  }

  @Post('departments/deleted/:_id/restore')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Restores a deleted department under its id, with its agents, unit and references where ' +
      'these still exist',
  })
  @RequirePermissions('manage-livechat-departments')
  async restoreDeleted(
    @Param('_id') id: string,
    @CallerScope() scope: Scope,
    @RequestActor() actor: Actor,
  ) {
    return this.restore.restoreDeleted(id, actor, scope);
  }
}
