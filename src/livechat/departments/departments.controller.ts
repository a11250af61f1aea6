import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor, Caller, RequestActor } from '../../auth/auth.decorators';
import { ApiError } from '../../common/api-error';
import { pageEnvelope, parsePage } from '../../common/pagination';
import { PermissionsService } from '../../permissions/permissions.service';
import type { AuthenticatedUser } from '../../users/users.service';
import { parseAutocompleteSelector, parseIds, parseProjection } from './department-query-parsers';
import {
  AutocompleteQueryDto,
  GetDepartmentQueryDto,
  ListByIdsQueryDto,
  ListDepartmentsQueryDto,
  PageQueryDto,
} from './dto/department-queries.dto';
import { HistoryPageDoc } from '../history/history-page.openapi';
import { SaveDepartmentDto, UpdateDepartmentAgentsDto } from './dto/department.dto';
import { DepartmentListFilter, DepartmentsService, etagOf } from './departments.service';
import { DepartmentScope, UnitScope } from '../units/unit-scope';
import { RequirePermissions } from '../../auth/route-permissions';

const DEPARTMENT_SORT_FIELDS = ['name', 'enabled', 'numAgents', '_updatedAt', 'email'] as const;
const AGENT_SORT_FIELDS = ['username', 'count', 'order'] as const;
const VIEW = ['view-livechat-departments', 'view-l-room'] as const;

/**
 * Rocket.Chat's livechat department endpoints. Each route declares its permissions, checked
 * by AuthGuard before input validation (pipes) and business rules. A monitor's scope
 * (its units' departments) limits every write and the reads by id always, and the lists
 * with `onlyMyDepartments=true` (Rocket.Chat's clients rely on both list behaviours).
 */
@ApiTags('departments')
@Controller('livechat')
export class DepartmentsController {
  constructor(
    private readonly departments: DepartmentsService,
    private readonly permissions: PermissionsService,
    private readonly scopes: UnitScope,
  ) {}

  /** The caller's scope where `onlyMyDepartments=true` asks for it, else everything. */
  private optionalScope(caller: AuthenticatedUser, only: string | undefined) {
    return only === 'true' ? this.scopes.of(caller) : Promise.resolve<DepartmentScope>(null);
  }

  @Get('department')
  @RequirePermissions(...VIEW)
  async list(@Query() query: ListDepartmentsQueryDto, @Caller() caller: AuthenticatedUser) {
    return this.listWith(query, caller, query.showArchived === 'true' ? 'include' : 'exclude');
  }

  @Get('departments/archived')
  @RequirePermissions(...VIEW)
  async listArchived(@Query() query: ListDepartmentsQueryDto, @Caller() caller: AuthenticatedUser) {
    return this.listWith(query, caller, 'only');
  }

  private async listWith(
    query: ListDepartmentsQueryDto,
    caller: AuthenticatedUser,
    archived: DepartmentListFilter['archived'],
  ) {
    const page = parsePage(query, DEPARTMENT_SORT_FIELDS, { name: 1 });
    const { departments, total } = await this.departments.list(
      {
        text: query.text,
        enabledOnly: query.enabled === 'true',
        excludeDepartmentId: query.excludeDepartmentId,
        archived,
      },
      page,
      await this.optionalScope(caller, query.onlyMyDepartments),
    );
    return pageEnvelope('departments', departments, page, total);
  }

  @Post('department')
  @HttpCode(200)
  @RequirePermissions('manage-livechat-departments')
  async create(
    @Body() body: SaveDepartmentDto,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    return this.departments.create(body, actor, await this.scopes.of(caller));
  }

  // Static paths are declared before `department/:_id` so they are not taken for ids.
  @Get('department/isDepartmentCreationAvailable')
  @RequirePermissions('view-livechat-departments', 'manage-livechat-departments')
  isCreationAvailable() {
    return { isDepartmentCreationAvailable: true };
  }

  @Get('department.autocomplete')
  @RequirePermissions(...VIEW)
  async autocomplete(@Query() query: AutocompleteQueryDto, @Caller() caller: AuthenticatedUser) {
    const selector = parseAutocompleteSelector(query.selector);
    const scope = await this.optionalScope(caller, query.onlyMyDepartments);
    return {
      items: await this.departments.autocomplete(selector, query.showArchived === 'true', scope),
    };
  }

  @Get('department.listByIds')
  @RequirePermissions(...VIEW)
  async listByIds(@Query() query: ListByIdsQueryDto, @Caller() caller: AuthenticatedUser) {
    const ids = parseIds(query.ids);
    const projection = parseProjection(query.fields);
    const scope = await this.scopes.of(caller);
    return { departments: await this.departments.listByIds(ids, projection, scope) };
  }

  @Get('department/:_id')
  @RequirePermissions(...VIEW)
  async findOne(
    @Param('_id') id: string,
    @Query() query: GetDepartmentQueryDto,
    @Caller() caller: AuthenticatedUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const scope = await this.optionalScope(caller, query.onlyMyDepartments);
    const department = await this.departments.findInScope(id, scope);
    // Rocket.Chat clients expect 200 with `department: null` for an unknown id (and a
    // monitor's out-of-scope one).
    if (!department) return { department: null, agents: [] };
    void reply.header('ETag', etagOf(department));
    const withAgents =
      query.includeAgents !== 'false' &&
      (await this.permissions.hasAny(caller, ['view-livechat-departments']));
    return withAgents
      ? { department, agents: await this.departments.allAgents(id) }
      : { department };
  }

  @Put('department/:_id')
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'ETag from GET; 412 if the department changed since',
  })
  @RequirePermissions('manage-livechat-departments', 'add-livechat-department-agents')
  async update(
    @Param('_id') id: string,
    @Body() body: SaveDepartmentDto,
    @Caller() caller: AuthenticatedUser,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestActor() actor: Actor,
  ) {
    const [canSave, canAddAgents] = await Promise.all([
      this.permissions.hasAny(caller, ['manage-livechat-departments']),
      this.permissions.hasAny(caller, ['add-livechat-department-agents']),
    ]);
    if (!canSave) throw ApiError.bareBadRequest('error-not-allowed');
    const scope = await this.scopes.of(caller);
    const result = await this.departments.update(
      id,
      body,
      { canAddAgents, ifMatch, scope },
      actor,
    );
    void reply.header('ETag', etagOf(result.department));
    return result;
  }

  @Delete('department/:_id')
  @RequirePermissions('manage-livechat-departments', 'remove-livechat-department')
  async remove(
    @Param('_id') id: string,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    await this.departments.remove(id, actor, await this.scopes.of(caller));
    return {};
  }

  @Post('department/:_id/archive')
  @HttpCode(200)
  @RequirePermissions('manage-livechat-departments')
  async archive(
    @Param('_id') id: string,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    await this.departments.archive(id, actor, await this.scopes.of(caller));
    return {};
  }

  @Post('department/:_id/unarchive')
  @HttpCode(200)
  @RequirePermissions('manage-livechat-departments')
  async unarchive(
    @Param('_id') id: string,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    await this.departments.unarchive(id, actor, await this.scopes.of(caller));
    return {};
  }

  @Get('department/:_id/agents')
  @RequirePermissions(...VIEW)
  async listAgents(
    @Param('_id') id: string,
    @Query() query: PageQueryDto,
    @Caller() caller: AuthenticatedUser,
  ) {
    const page = parsePage(query, AGENT_SORT_FIELDS, { username: 1 });
    await this.departments.assertReadable(id, await this.scopes.of(caller));
    const { agents, total } = await this.departments.listAgents(id, page);
    return pageEnvelope('agents', agents, page, total);
  }

  @Post('department/:_id/agents')
  @HttpCode(200)
  @RequirePermissions('manage-livechat-departments', 'add-livechat-department-agents')
  async updateAgents(
    @Param('_id') id: string,
    @Body() body: UpdateDepartmentAgentsDto,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    const scope = await this.scopes.of(caller);
    await this.departments.updateAgents(id, body.upsert, body.remove, actor, scope);
    return {};
  }

  @Get('department/:_id/history')
  @ApiOperation({
    summary: 'Change history of a department, newest first (our extension; kept after a delete)',
  })
  @ApiOkResponse({ type: HistoryPageDoc })
  @RequirePermissions('view-livechat-departments')
  async history(
    @Param('_id') id: string,
    @Query() query: PageQueryDto,
    @Caller() caller: AuthenticatedUser,
  ) {
    const page = parsePage(query, [], { ts: -1 });
    await this.departments.assertReadable(id, await this.scopes.of(caller));
    const { history, total } = await this.departments.history(id, page);
    return pageEnvelope('history', history, page, total);
  }
}
