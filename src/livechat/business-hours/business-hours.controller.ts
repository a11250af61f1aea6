import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, Caller, RequestActor } from '../../auth/auth.decorators';
import { pageEnvelope, parsePage } from '../../common/pagination';
import { PermissionsService } from '../../permissions/permissions.service';
import type { AuthenticatedUser } from '../../users/users.service';
import { parseSaveInput, BusinessHoursService } from './business-hours.service';
import {
  GetBusinessHourQueryDto,
  ListBusinessHoursQueryDto,
  SaveBusinessHourDto,
} from './dto/business-hour.dto';

const SORT_FIELDS = ['name', 'type', 'active', 'ts', '_updatedAt'] as const;
const VIEW = ['view-livechat-business-hours'] as const;
const MANAGE = ['manage-livechat-business-hours'] as const;

const EXAMPLE = {
  _id: 'Wq5bZ8rP2mXcN4yTa',
  name: 'Berlin office',
  active: true,
  type: 'custom',
  timezone: { name: 'Europe/Berlin', utc: '+01:00' },
  workHours: [
    {
      day: 'Monday',
      start: {
        time: '08:00',
        utc: { dayOfWeek: 'Monday', time: '07:00' },
        cron: { dayOfWeek: 'Monday', time: '07:00' },
      },
      finish: {
        time: '17:00',
        utc: { dayOfWeek: 'Monday', time: '16:00' },
        cron: { dayOfWeek: 'Monday', time: '16:00' },
      },
      open: true,
      code: 1,
    },
  ],
  ts: '2026-11-30T08:00:00.000Z',
  _updatedAt: '2026-11-30T08:00:00.000Z',
};

/** Business-hour schedules (API.md §13). Rocket.Chat writes them over DDP; here over REST. */
@ApiTags('business hours')
@Controller('livechat')
export class BusinessHoursController {
  constructor(
    private readonly businessHours: BusinessHoursService,
    private readonly permissions: PermissionsService,
  ) {}

  @Get('business-hours')
  @ApiOperation({ summary: 'List schedules (view-livechat-business-hours)' })
  @ApiOkResponse({
    schema: { example: { businessHours: [EXAMPLE], count: 1, offset: 0, total: 1, success: true } },
  })
  async list(@Query() query: ListBusinessHoursQueryDto, @Caller() caller: AuthenticatedUser) {
    const page = parsePage(query, SORT_FIELDS, { name: 1 });
    await this.permissions.assertAny(caller, VIEW);
    const { items, total } = await this.businessHours.list(query.name, page);
    return pageEnvelope('businessHours', items, page, total);
  }

  @Get('business-hour')
  @ApiOperation({
    summary: 'One schedule by ?_id=, or ?type=default, with its departments',
  })
  @ApiOkResponse({
    schema: {
      example: {
        businessHour: { ...EXAMPLE, departments: [{ _id: 'sQBCsgx4EfTbuckvX', name: 'Sales' }] },
        success: true,
      },
    },
  })
  async findOne(@Query() query: GetBusinessHourQueryDto, @Caller() caller: AuthenticatedUser) {
    await this.permissions.assertAny(caller, VIEW);
    return { businessHour: await this.businessHours.findOne(query) };
  }

  @Post('business-hour')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create, or update with _id (manage-livechat-business-hours)',
    description:
      'Rocket.Chat’s save shape. Assigning departments moves them off any other custom schedule.',
  })
  @ApiOkResponse({
    schema: { example: { businessHour: { ...EXAMPLE, departments: [] }, success: true } },
  })
  async save(
    @Body() body: SaveBusinessHourDto,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    const input = parseSaveInput(body);
    await this.permissions.assertAny(caller, MANAGE);
    return { businessHour: await this.businessHours.save(input, actor) };
  }

  @Delete('business-hour/:_id')
  @ApiOperation({
    summary: 'Delete a custom schedule; its departments go back to the default',
  })
  async remove(
    @Param('_id') id: string,
    @Caller() caller: AuthenticatedUser,
    @RequestActor() actor: Actor,
  ) {
    await this.permissions.assertAny(caller, MANAGE);
    await this.businessHours.remove(id, actor);
    return {};
  }
}
