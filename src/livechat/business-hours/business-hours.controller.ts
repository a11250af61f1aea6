import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequestActor } from '../../auth/auth.decorators';
import type { Actor } from '../../auth/caller';
import { RequirePermissions } from '../../auth/route-permissions';
import { pageEnvelope, parsePage } from '../../common/pagination';
import { parseSaveInput, BusinessHoursService } from './business-hours.service';
import {
  GetBusinessHourQueryDto,
  ListBusinessHoursQueryDto,
  RemoveBusinessHourDto,
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
  ) {}

  @Get('business-hours')
  @ApiOperation({ summary: 'List schedules (view-livechat-business-hours)' })
  @ApiOkResponse({
    schema: {
      example: {
        businessHours: [{ ...EXAMPLE, departments: [{ _id: 'sQBCsgx4EfTbuckvX', name: 'Sales' }] }],
        count: 1,
        offset: 0,
        total: 1,
        success: true,
      },
    },
  })
  @RequirePermissions(...VIEW)
  async list(@Query() query: ListBusinessHoursQueryDto) {
    const page = parsePage(query, SORT_FIELDS, { name: 1 });
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
  @RequirePermissions(...VIEW)
  async findOne(@Query() query: GetBusinessHourQueryDto) {
    return { businessHour: await this.businessHours.findOne(query) };
  }

  @Post('business-hours.save')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create, or update with _id (Rocket.Chat 8; manage-livechat-business-hours)',
    description:
      'Rocket.Chat 8’s save body (`timezoneName`, the form’s `daysOpen`/`daysTime` are accepted). ' +
      'Assigning departments moves them off any other custom schedule.',
  })
  @ApiOkResponse({
    schema: { example: { businessHour: { ...EXAMPLE, departments: [] }, success: true } },
  })
  @RequirePermissions(...MANAGE)
  async save(@Body() body: SaveBusinessHourDto, @RequestActor() actor: Actor) {
    return { businessHour: await this.businessHours.save(parseSaveInput(body), actor) };
  }

  @Post('business-hour')
  @HttpCode(200)
  @ApiOperation({ summary: 'The same as POST livechat/business-hours.save (our older path)' })
  @ApiOkResponse({
    schema: { example: { businessHour: { ...EXAMPLE, departments: [] }, success: true } },
  })
  @RequirePermissions(...MANAGE)
  async saveOlderPath(@Body() body: SaveBusinessHourDto, @RequestActor() actor: Actor) {
    return this.save(body, actor);
  }

  @Post('business-hours.remove')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Delete a custom schedule (Rocket.Chat 8); its departments go back to the default',
  })
  @RequirePermissions(...MANAGE)
  async remove(@Body() body: RemoveBusinessHourDto, @RequestActor() actor: Actor) {
    await this.businessHours.remove(body._id, actor);
    return {};
  }

  @Delete('business-hour/:_id')
  @ApiOperation({ summary: 'The same as POST livechat/business-hours.remove (our older path)' })
  @RequirePermissions(...MANAGE)
  async removeOlderPath(@Param('_id') id: string, @RequestActor() actor: Actor) {
    await this.businessHours.remove(id, actor);
    return {};
  }
}
