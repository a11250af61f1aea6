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
import { Caller, RequestActor } from '../../auth/auth.decorators';
import type { Actor } from '../../auth/caller';
import { ApiError } from '../../common/api-error';
import { pageEnvelope, parsePage } from '../../common/pagination';
import { PermissionsService } from '../../permissions/permissions.service';
import type { AuthenticatedUser } from '../../auth/caller';
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
import type { DepartmentListFilter } from './department-catalog';
import { DepartmentsService, etagOf } from './departments.service';
import { RequirePermissions } from '../../auth/route-permissions';
import { CallerScope } from '../scope/caller-scope';
import type { Scope } from '../scope/scope';

const DEPARTMENT_SORT_FIELDS = ['name', 'enabled', 'numAgents', '_updatedAt', 'email'] as const;
const AGENT_SORT_FIELDS = ['username', 'count', 'order'] as const;
const VIEW = ['view-livechat-departments', 'view-l-room'] as const;

/**
 * Rocket.Chat's livechat department endpoints. Each route declares its permissions, checked
 * by AuthGuard before input validation (pipes) and business rules. The caller's scope
 * (`@CallerScope`, resolved once per request: a monitor's units' departments) goes to every
 * read and write; Rocket.Chat's documented reads (the lists, the archived list, GET by id,
 * autocomplete) apply it only with `onlyMyDepartments=true` (`scope.whenAsked`).
 */
@ApiTags('departments')
@Controller('livechat')
export class DepartmentsController {
  constructor(
    private readonly departments: DepartmentsService,
    private readonly permissions: PermissionsService,
  ) {}

  @Get('department')
  @RequirePermissions(...VIEW)
  async list(@Query() query: ListDepartmentsQueryDto, @CallerScope() scope: Scope) {
    return this.listWith(query, scope, query.showArchived === 'true' ? 'include' : 'exclude');
  }

  @Get('departments/archived')
  @RequirePermissions(...VIEW)
  async listArchived(@Query() query: ListDepartmentsQueryDto, @CallerScope() scope: Scope) {
    return this.listWith(query, scope, 'only');
  }

  private async listWith(
    query: ListDepartmentsQueryDto,
    scope: Scope,
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
      scope.whenAsked(query.onlyMyDepartments),
    );
    return pageEnvelope('departments', departments, page, total);
  }

  @Post('department')
  @HttpCode(200)
  @RequirePermissions('manage-livechat-departments')
  async create(
    @Body() body: SaveDepartmentDto,
    @CallerScope() scope: Scope,
    @RequestActor() actor: Actor,
  ) {
    return this.departments.create(body, actor, scope);
  }

  // Static paths are declared before `department/:_id` so they are not taken for ids.
  @Get('department/isDepartmentCreationAvailable')
  @RequirePermissions('view-livechat-departments', 'manage-livechat-departments')
  isCreationAvailable() {
    return { isDepartmentCreationAvailable: true };
  }

  @Get('department.autocomplete')
  @RequirePermissions(...VIEW)
  async autocomplete(@Query() query: AutocompleteQueryDto, @CallerScope() scope: Scope) {
    const selector = parseAutocompleteSelector(query.selector);
    return {
      items: await this.departments.autocomplete(
        selector,
        query.showArchived === 'true',
        scope.whenAsked(query.onlyMyDepartments),
      ),
    };
  }

  @Get('department.listByIds')
  @RequirePermissions(...VIEW)
  async listByIds(@Query() query: ListByIdsQueryDto, @CallerScope() scope: Scope) {
    const ids = parseIds(query.ids);
    const projection = parseProjection(query.fields);
    return { departments: await this.departments.listByIds(ids, projection, scope) };
  }

  @Get('department/:_id')
  @RequirePermissions(...VIEW)
  async findOne(
    @Param('_id') id: string,
    @Query() query: GetDepartmentQueryDto,
    @Caller() caller: AuthenticatedUser,
    @CallerScope() scope: Scope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const department = await this.departments.findById(
      id,
      scope.whenAsked(query.onlyMyDepartments),
    );
    // Rocket.Chat clients expect 200 with `department: null` for an unknown id (and a
    // monitor's out-of-scope one).
    if (!department) return { department: null, agents: [] };
    void reply.header('ETag', etagOf(department));
    // The department itself is a documented unscoped read; its agents are not (as
    // `…/:_id/agents`): a department outside the caller's scope comes without them.
    const withAgents =
      query.includeAgents !== 'false' &&
      scope.includes(department) &&
      (await this.permissions.hasAny(caller, ['view-livechat-departments']));
    return withAgents
      ? { department, agents: await this.departments.allAgents(id, scope) }
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
    @CallerScope() scope: Scope,
  ) {
    const [canSave, canAddAgents] = await Promise.all([
      this.permissions.hasAny(caller, ['manage-livechat-departments']),
      this.permissions.hasAny(caller, ['add-livechat-department-agents']),
    ]);
    if (!canSave) throw ApiError.bareBadRequest('error-not-allowed');
    const result = await this.departments.update(id, body, { canAddAgents, ifMatch, scope }, actor);
    void reply.header('ETag', etagOf(result.department));
    return result;
  }

  @Delete('department/:_id')
  @RequirePermissions('manage-livechat-departments', 'remove-livechat-department')
  async remove(
    @Param('_id') id: string,
    @CallerScope() scope: Scope,
    @RequestActor() actor: Actor,
  ) {
    await this.departments.remove(id, actor, scope);
    return {};
  }

  @Post('department/:_id/archive')
  @HttpCode(200)
  @RequirePermissions('manage-livechat-departments')
  async archive(
    @Param('_id') id: string,
    @CallerScope() scope: Scope,
    @RequestActor() actor: Actor,
  ) {
    await this.departments.archive(id, actor, scope);
    return {};
  }

  @Post('department/:_id/unarchive')
  @HttpCode(200)
  @RequirePermissions('manage-livechat-departments')
  async unarchive(
    @Param('_id') id: string,
    @CallerScope() scope: Scope,
    @RequestActor() actor: Actor,
  ) {
    await this.departments.unarchive(id, actor, scope);
    return {};
  }

  @Get('department/:_id/agents')
  @RequirePermissions(...VIEW)
  async listAgents(
    @Param('_id') id: string,
    @Query() query: PageQueryDto,
    @CallerScope() scope: Scope,
  ) {
    const page = parsePage(query, AGENT_SORT_FIELDS, { username: 1 });
    await this.departments.assertReadable(id, scope);
    const { agents, total } = await this.departments.listAgents(id, page, scope);
    return pageEnvelope('agents', agents, page, total);
  }

  @Post('department/:_id/agents')
  @HttpCode(200)
  @RequirePermissions('manage-livechat-departments', 'add-livechat-department-agents')
  async updateAgents(
    @Param('_id') id: string,
    @Body() body: UpdateDepartmentAgentsDto,
    @CallerScope() scope: Scope,
    @RequestActor() actor: Actor,
  ) {
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
    @CallerScope() scope: Scope,
  ) {
    const page = parsePage(query, [], { ts: -1 });
    await this.departments.assertReadable(id, scope);
    const { history, total } = await this.departments.history(id, page, scope);
    return pageEnvelope('history', history, page, total);
  }
}
