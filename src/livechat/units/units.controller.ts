import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor, Caller, RequestActor } from '../../auth/auth.decorators';
import { ApiError } from '../../common/api-error';
import { pageEnvelope, parsePage } from '../../common/pagination';
import { PermissionsService } from '../../permissions/permissions.service';
import type { AuthenticatedUser } from '../../users/users.service';
import { PageQueryDto } from '../departments/dto/department-queries.dto';
import { AddRoleDto, ListRoleQueryDto } from '../agents/agents.dto';
import { SaveUnitDto, TextPageQueryDto } from './dto/unit.dto';
import { MonitorsService } from './monitors.service';
import { DepartmentScope, notAllowed, UnitScope } from './unit-scope';
import { UnitsService } from './units.service';

const UNIT_SORT_FIELDS = ['name', 'visibility', 'numMonitors', 'numDepartments'] as const;
const DEPARTMENT_SORT_FIELDS = ['name', 'enabled', 'numAgents'] as const;
const USER_SORT_FIELDS = ['username', 'name'] as const;

/** Rocket.Chat answers some of these with a bare JSON value (`null`, a number). */
function sendJson(reply: FastifyReply, value: null | number): void {
  void reply.type('application/json; charset=utf-8').send(JSON.stringify(value));
}

/** Units (Rocket.Chat EE): managers handle them all, a monitor reads its own. */
@ApiTags('units and monitors')
@Controller('livechat')
export class UnitsController {
  constructor(
    private readonly units: UnitsService,
    private readonly permissions: PermissionsService,
    private readonly scopes: UnitScope,
  ) {}

  /** Everything for `manage-livechat-units`; a monitor its own units; anybody else 403. */
  private async readScope(caller: AuthenticatedUser): Promise<DepartmentScope> {
    if (await this.permissions.hasAny(caller, ['manage-livechat-units'])) return null;
    const scope = await this.scopes.of(caller);
    if (scope === null) throw ApiError.forbidden();
    return scope;
  }

  @Get('units')
  @ApiOperation({ summary: 'Units, paginated; a monitor sees only the units it monitors' })
  async list(@Query() query: TextPageQueryDto, @Caller() caller: AuthenticatedUser) {
    const page = parsePage(query, UNIT_SORT_FIELDS, { name: 1 });
    const { units, total } = await this.units.list(query.text, page, await this.readScope(caller));
    return pageEnvelope('units', units, page, total);
  }

  @Post('units')
  @HttpCode(200)
  async create(
    @Body() body: SaveUnitDto,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    await this.permissions.assertAny(caller, ['manage-livechat-units']);
    return this.units.save(null, body, actor);
  }

  @Get('units/:unitId')
  @ApiOperation({ summary: 'A unit; the JSON `null` when unknown (Rocket.Chat answers so)' })
  async findOne(
    @Param('unitId') id: string,
    @Caller() caller: AuthenticatedUser,
    @Res() reply: FastifyReply,
  ) {
    const unit = await this.units.findById(id, await this.readScope(caller));
    if (unit) void reply.send(unit);
    else sendJson(reply, null);
  }

  @Post('units/:unitId')
  @HttpCode(200)
  async update(
    @Param('unitId') id: string,
    @Body() body: SaveUnitDto,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    await this.permissions.assertAny(caller, ['manage-livechat-units']);
    return this.units.save(id, body, actor);
  }

  @Delete('units/:unitId')
  @ApiOperation({ summary: 'Deletes a unit (its departments stay); answers the number deleted' })
  async remove(
    @Param('unitId') id: string,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
    @Res() reply: FastifyReply,
  ) {
    await this.permissions.assertAny(caller, ['manage-livechat-units']);
    sendJson(reply, await this.units.remove(id, actor));
  }

  @Get('units/:unitId/departments')
  async departments(
    @Param('unitId') unitId: string,
    @Query() query: PageQueryDto,
    @Caller() caller: AuthenticatedUser,
  ) {
    const page = parsePage(query, DEPARTMENT_SORT_FIELDS, { name: 1 });
    const scope = await this.readScope(caller);
    if (scope !== null && !scope.unitIds.includes(unitId)) throw notAllowed();
    const { departments, total } = await this.units.departmentsOf(unitId, page);
    return pageEnvelope('departments', departments, page, total);
  }

  @Get('units/:unitId/departments/available')
  @ApiOperation({ summary: 'Departments the unit may take: in no unit, or in this one' })
  async availableDepartments(
    @Param('unitId') unitId: string,
    @Query() query: TextPageQueryDto,
    @Caller() caller: AuthenticatedUser,
  ) {
    const page = parsePage(query, DEPARTMENT_SORT_FIELDS, { name: 1 });
    await this.permissions.assertAny(caller, ['manage-livechat-units']);
    const { departments, total } = await this.units.availableDepartments(unitId, query.text, page);
    return pageEnvelope('departments', departments, page, total);
  }

  @Get('units/:unitId/monitors')
  async monitors(@Param('unitId') unitId: string, @Caller() caller: AuthenticatedUser) {
    if (!(await this.permissions.hasAny(caller, ['manage-livechat-monitors']))) {
      const scope = await this.readScope(caller);
      if (scope !== null && !scope.unitIds.includes(unitId)) throw notAllowed();
    }
    return { monitors: await this.units.monitorsOf(unitId) };
  }
}

/** Monitors (Rocket.Chat EE): users with the livechat-monitor role. */
@ApiTags('units and monitors')
@Controller('livechat')
export class MonitorsController {
  constructor(
    private readonly monitors: MonitorsService,
    private readonly permissions: PermissionsService,
  ) {}

  @Get('monitors')
  async list(@Query() query: ListRoleQueryDto, @Caller() caller: AuthenticatedUser) {
    const page = parsePage(query, USER_SORT_FIELDS, { username: 1 });
    await this.permissions.assertAny(caller, ['manage-livechat-monitors']);
    const { users, total } = await this.monitors.list(query.text, page);
    return pageEnvelope('monitors', users, page, total);
  }

  @Get('monitors/:username')
  @ApiOperation({ summary: 'A monitor; the JSON `null` when there is none by that username' })
  async findOne(
    @Param('username') username: string,
    @Caller() caller: AuthenticatedUser,
    @Res() reply: FastifyReply,
  ) {
    await this.permissions.assertAny(caller, ['manage-livechat-monitors']);
    const monitor = await this.monitors.find(username);
    if (monitor) void reply.send(monitor);
    else sendJson(reply, null);
  }

  @Post('monitors.create')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gives the user the livechat-monitor role' })
  async create(@Body() body: AddRoleDto, @Caller() caller: AuthenticatedUser) {
    await this.permissions.assertAny(caller, ['manage-livechat-monitors']);
    return this.monitors.add(body.username);
  }

  @Post('monitors.delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Takes the livechat-monitor role away, and the user out of every unit' })
  async remove(
    @Body() body: AddRoleDto,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    await this.permissions.assertAny(caller, ['manage-livechat-monitors']);
    await this.monitors.remove(body.username, actor);
    return {};
  }
}
