import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { Caller, RequestActor } from '../../auth/auth.decorators';
import type { Actor } from '../../auth/caller';
import { ApiError } from '../../common/api-error';
import { RequirePermissions, RequirePermissionsByParam } from '../../auth/route-permissions';
import { pageEnvelope, parsePage } from '../../common/pagination';
import { PermissionsService } from '../../permissions/permissions.service';
import type { AuthenticatedUser } from '../../auth/caller';
import { DepartmentsOfAgentQueryDto } from '../departments/dto/department-queries.dto';
import { DepartmentsService } from '../departments/departments.service';
import { CallerScope } from '../scope/caller-scope';
import type { Scope } from '../scope/scope';
import { AddRoleDto, AgentStatusDto, ListRoleQueryDto } from './agents.dto';
import { AgentsService, LIVECHAT_ROLE_TYPES, LivechatRoleType } from './agents.service';

const USER_SORT_FIELDS = ['username', 'name'] as const;

/** `livechat/users/:type`: each type its own permission; any other type is a 404. */
const BY_ROLE_TYPE = () =>
  RequirePermissionsByParam('type', {
    agent: [LIVECHAT_ROLE_TYPES.agent.permission],
    manager: [LIVECHAT_ROLE_TYPES.manager.permission],
  });

function roleType(raw: string): LivechatRoleType {
  if (raw !== 'agent' && raw !== 'manager') {
    throw new ApiError(404, 'error-not-found', 'API endpoint not found');
  }
  return raw;
}

@ApiTags('agents and managers')
@Controller('livechat')
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly departments: DepartmentsService,
    private readonly permissions: PermissionsService,
  ) {}

  @Post('users/:type')
  @HttpCode(200)
  @ApiParam({ name: 'type', enum: ['agent', 'manager'] })
  @BY_ROLE_TYPE()
  async addRole(
    @Param('type') rawType: string,
    @Body() body: AddRoleDto,
  ) {
    const type = roleType(rawType);
    return { user: await this.agents.addRole(type, body.username) };
  }

  @Get('users/:type')
  @ApiParam({ name: 'type', enum: ['agent', 'manager'] })
  @BY_ROLE_TYPE()
  async list(
    @Param('type') rawType: string,
    @Query() query: ListRoleQueryDto,
  ) {
    const type = roleType(rawType);
    const page = parsePage(query, USER_SORT_FIELDS, { username: 1 });
    const { users, total } = await this.agents.list(type, query.text, page);
    return pageEnvelope('users', users, page, total);
  }

  @Delete('users/:type/:_id')
  @ApiParam({ name: 'type', enum: ['agent', 'manager'] })
  @BY_ROLE_TYPE()
  async removeRole(
    @Param('type') rawType: string,
    @Param('_id') userId: string,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    const type = roleType(rawType);
    await this.agents.removeRole(type, userId, actor);
    return {};
  }

  @Post('agent.status')
  @HttpCode(200)
  @RequirePermissions('view-l-room')
  async setStatus(@Body() body: AgentStatusDto, @Caller() caller: AuthenticatedUser) {
    const agentId = body.agentId ?? caller._id;
    if (agentId !== caller._id)
      await this.permissions.assertAny(caller, ['manage-livechat-agents']);
    await this.agents.setStatus(agentId, body.status);
    return {};
  }

  @Get('agents/:agentId/departments')
  @RequirePermissions('view-l-room')
  async departmentsOfAgent(
    @Param('agentId') agentId: string,
    @Query() query: DepartmentsOfAgentQueryDto,
    @CallerScope() scope: Scope,
  ) {
    // A monitor sees the agent's departments in its units only.
    return {
      departments: await this.departments.departmentsOfAgent(
        agentId,
        query.enabledDepartmentsOnly === 'true',
        scope,
      ),
    };
  }
}
