import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Caller, RequestActor } from '../../auth/auth.decorators';
import type { Actor } from '../../auth/caller';
import { AnyAuthenticatedUser, RequirePermissions } from '../../auth/route-permissions';
import { pageEnvelope, parsePage } from '../../common/pagination';
import { PermissionsService } from '../../permissions/permissions.service';
import type { AuthenticatedUser } from '../../auth/caller';
import { PageQueryDto } from '../departments/dto/department-queries.dto';
import { AddRoleDto, ListRoleQueryDto } from '../agents/agents.dto';
import { SaveUnitDto, TextPageQueryDto } from './dto/unit.dto';
import { CallerScope } from '../scope/caller-scope';
import { Scope } from '../scope/scope';
import { MonitorsService } from './monitors.service';
import { UnitsService } from './units.service';

const UNIT_SORT_FIELDS = ['name', 'visibility', 'numMonitors', 'numDepartments'] as const;
const DEPARTMENT_SORT_FIELDS = ['name', 'enabled', 'numAgents'] as const;
const USER_SORT_FIELDS = ['username', 'name'] as const;

/** Rocket.Chat answers some of these with a bare JSON value (`null`, a number). */
function sendJson(reply: FastifyReply, value: null | number): void {
  void reply.type('application/json').send(JSON.stringify(value));
}

/**
 * Units (Rocket.Chat EE): `manage-livechat-units` handles them all; anybody else lists only
 * the units it monitors (none for a non-monitor). The unit's monitors need
 * `manage-livechat-monitors`, as in Rocket.Chat.
 */
@ApiTags('units and monitors')
@Controller('livechat')
export class UnitsController {
  constructor(
    private readonly units: UnitsService,
    private readonly permissions: PermissionsService,
  ) {}

  @Get('units')
  @AnyAuthenticatedUser()
  @ApiOperation({
    summary: 'Units, paginated; without manage-livechat-units, the units the caller monitors',
  })
  async list(
    @Query() query: TextPageQueryDto,
    @Caller() caller: AuthenticatedUser,
    @CallerScope() callerScope: Scope,
  ) {
    const page = parsePage(query, UNIT_SORT_FIELDS, { name: 1 });
    // Without manage-livechat-units, anybody (not only a monitor) sees the units it monitors.
    const scope = (await this.permissions.hasAny(caller, ['manage-livechat-units']))
      ? callerScope
      : Scope.ofUnits(await this.units.unitsOf(caller._id));
    const { units, total } = await this.units.list(query.text, page, scope);
    return pageEnvelope('units', units, page, total);
  }

  @Post('units')
  @HttpCode(200)
  @RequirePermissions('manage-livechat-units')
  async create(
    @Body() body: SaveUnitDto,
    @RequestActor() actor: Actor,
    @CallerScope() scope: Scope,
  ) {
    return this.units.save(null, body, actor, scope);
  }

  @Get('units/:unitId')
  @RequirePermissions('manage-livechat-units')
  @ApiOperation({ summary: 'A unit; the JSON `null` when unknown (Rocket.Chat answers so)' })
  async findOne(
    @Param('unitId') id: string,
    @CallerScope() scope: Scope,
    @Res() reply: FastifyReply,
  ) {
    const unit = await this.units.findById(id, scope);
    if (unit) void reply.send(unit);
    else sendJson(reply, null);
  }

  @Post('units/:unitId')
  @HttpCode(200)
  @RequirePermissions('manage-livechat-units')
  async update(
    @Param('unitId') id: string,
    @Body() body: SaveUnitDto,
    @RequestActor() actor: Actor,
    @CallerScope() scope: Scope,
  ) {
    return this.units.save(id, body, actor, scope);
  }

  @Delete('units/:unitId')
  @RequirePermissions('manage-livechat-units')
  @ApiOperation({ summary: 'Deletes a unit (its departments stay); answers the number deleted' })
  async remove(
    @Param('unitId') id: string,
    @RequestActor() actor: Actor,
    @CallerScope() scope: Scope,
    @Res() reply: FastifyReply,
  ) {
    sendJson(reply, await this.units.remove(id, actor, scope));
  }

  @Get('units/:unitId/departments')
  @RequirePermissions('manage-livechat-units')
  async departments(
    @Param('unitId') unitId: string,
    @Query() query: PageQueryDto,
    @CallerScope() scope: Scope,
  ) {
    const page = parsePage(query, DEPARTMENT_SORT_FIELDS, { name: 1 });
    const { departments, total } = await this.units.departmentsOf(unitId, page, scope);
    return pageEnvelope('departments', departments, page, total);
  }

  @Get('units/:unitId/departments/available')
  @RequirePermissions('manage-livechat-units')
  @ApiOperation({ summary: 'Departments the unit may take: in no unit, or in this one' })
  async availableDepartments(
    @Param('unitId') unitId: string,
    @Query() query: TextPageQueryDto,
    @CallerScope() scope: Scope,
  ) {
    const page = parsePage(query, DEPARTMENT_SORT_FIELDS, { name: 1 });
    const { departments, total } = await this.units.availableDepartments(
      unitId,
      query.text,
      page,
      scope,
    );
    return pageEnvelope('departments', departments, page, total);
  }

  @Get('units/:unitId/monitors')
  @RequirePermissions('manage-livechat-monitors')
  async monitors(@Param('unitId') unitId: string, @CallerScope() scope: Scope) {
    return { monitors: await this.units.monitorsOf(unitId, scope) };
  }
}

/** Monitors (Rocket.Chat EE): users with the livechat-monitor role. */
@ApiTags('units and monitors')
@Controller('livechat')
export class MonitorsController {
  constructor(
private readonly monitors: MonitorsService) {}

  @Get('monitors')
  @RequirePermissions('manage-livechat-monitors')
  async list(@Query() query: ListRoleQueryDto) {
    const page = parsePage(query, USER_SORT_FIELDS, { username: 1 });
    const { users, total } = await this.monitors.list(query.text, page);
    return pageEnvelope('monitors', users, page, total);
  }

  @Get('monitors/:username')
  @ApiOperation({ summary: 'A monitor; the JSON `null` when there is none by that username' })
  @RequirePermissions('manage-livechat-monitors')
  async findOne(@Param('username') username: string, @Res() reply: FastifyReply) {
    const monitor = await this.monitors.find(username);
    if (monitor) void reply.send(monitor);
    else sendJson(reply, null);
  }

  @Post('monitors.create')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gives the user the livechat-monitor role' })
  @RequirePermissions('manage-livechat-monitors')
  async create(@Body() body: AddRoleDto) {
    return this.monitors.add(body.username);
  }

  @Post('monitors.delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Takes the livechat-monitor role away, and the user out of every unit' })
  @RequirePermissions('manage-livechat-monitors')
  async remove(@Body() body: AddRoleDto, @RequestActor() actor: Actor) {
    await this.monitors.remove(body.username, actor);
    return {};
  }
}
