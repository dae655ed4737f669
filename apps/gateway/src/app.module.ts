import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdmissionService } from './admission/admission.service';
import { AuthGuard } from './auth/auth.guard';
import { CatalogueHttpAdapter } from './catalogue/catalogue.http-adapter';
import { CATALOGUE_PORT } from './catalogue/catalogue.port';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DegradedModesController } from './degraded-modes/degraded-modes.controller';
import { DegradedModesService } from './degraded-modes/degraded-modes.service';
import { HealthModule } from './health/health.module';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { MigrationController } from './migration/migration.controller';
import { MigrationService } from './migration/migration.service';
import { BacklogHistory } from './ops/backlog-history';
import { BacklogService } from './ops/backlog.service';
import { CodecController } from './ops/codec.controller';
import { OpsController } from './ops/ops.controller';
import { OpsPageController } from './ops-page/ops-page.controller';
import { OpsService } from './ops/ops.service';
import { OrderPricing } from './orders/order-pricing';
import { OrderReturnsController } from './orders/order-returns.controller';
import { OrderReturnsService } from './orders/order-returns.service';
import { OrdersController } from './orders/orders.controller';
import { OrderStarter } from './orders/order-starter';
import { OrdersService } from './orders/orders.service';
import { QuotesController } from './orders/quotes.controller';
import { SubmissionSweeper } from './orders/submission-sweeper';
import { OperatorTasksController } from './operator-tasks/operator-tasks.controller';
import { PostHocReviewsController } from './operator-tasks/post-hoc-reviews.controller';
import { ReconciliationController } from './reconciliation/reconciliation.controller';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { FulfillmentWebhookController } from './webhooks/fulfillment-webhook.controller';

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
    return {
      module: AppModule,
      imports: [ConfigModule.of(config), InfrastructureModule, HealthModule],
      controllers: [
        ReconciliationController,
        OrdersController,
        OrderReturnsController,
        QuotesController,
        OpsController,
        CodecController,
        DegradedModesController,
        MigrationController,
        MetricsController,
        OpsPageController,
        PostHocReviewsController,
        OperatorTasksController,
        DeadLettersController,
        FulfillmentWebhookController,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        {
          provide: CATALOGUE_PORT,
          useFactory: () =>
            new CatalogueHttpAdapter(config.catalogue.url, config.catalogue.timeoutMs),
        },
        AdmissionService,
        BacklogHistory,
        BacklogService,
        DegradedModesService,
        GatewayMetrics,
        MigrationService,
        OpsService,
        OrderPricing,
        OrderStarter,
        OrdersService,
        OrderReturnsService,
        ReconciliationService,
        SubmissionSweeper,
      ],
    };
  }
}
