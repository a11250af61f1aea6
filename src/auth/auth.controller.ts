import { Body, Controller, Get, HttpCode, Ip, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from './caller';
import { AuthenticatedRequest, Caller, Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { AnyAuthenticatedUser } from './route-permissions';
import { LoginDto } from './login.dto';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() body: LoginDto, @Ip() ip: string) {
    return this.auth.login(body, ip);
  }

  @Post('logout')
  @HttpCode(200)
  @AnyAuthenticatedUser()
  async logout(@Req() request: AuthenticatedRequest, @Caller() caller: AuthenticatedUser) {
    await this.auth.logout(caller._id, request.hashedToken ?? '');
    return { status: 'success', data: { message: "You've been logged out!" } };
  }

  @Get('me')
  @AnyAuthenticatedUser()
  me(@Caller() caller: AuthenticatedUser) {
    return this.auth.me(caller._id);
  }
}
