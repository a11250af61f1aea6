import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, map } from 'rxjs';

/** Every 200 answer carries `success: true` next to its payload fields (Rocket.Chat's envelope). */
@Injectable()
export class SuccessEnvelopeInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(
        map((payload: unknown) =>
          payload !== null && typeof payload === 'object' && !Array.isArray(payload)
            ? Object.assign(payload, { success: true })
            : payload,
        ),
      );
  }
}
