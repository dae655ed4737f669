import { type DynamicModule, Global, Module } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { HealthModule } from './health/health.module';

@Global()
@Module({})
class ConfigModule {
  static of(config: GatewayConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
      exports: [GATEWAY_CONFIG],
    };
  }
}

@Module({})
export class AppModule {
  static create(config: GatewayConfig): DynamicModule {
    return { module: AppModule, imports: [ConfigModule.of(config), HealthModule] };
  }
}
