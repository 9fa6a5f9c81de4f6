import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { graph, number, prom, promNow } from './panels.js';

/**
 * The customer's side (docs/browser-monitoring.md): what the storefront's browsers saw, from the
 * RUM span metrics the collector makes of every browser span (namespace rum). Windows are an hour:
 * a customer's visit is rare next to the backend's requests.
 */
const ERR = 'status_code="STATUS_CODE_ERROR"';
const CALLS = 'span_name=~"(HTTP )?(GET|POST|PUT|DELETE)"';
const calls = (filter: string) => `sum(increase(rum_calls_total{${filter}}[1h]))`;

export const customerSide = () =>
  new DashboardBuilder('Customer side')
    .uid('orderscope-customer-side')
    .description("What the storefront's customers saw: errors in their pages, calls that failed for them, web vitals, and orders started but never placed.")
    .tags(['orderscope'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .withRow(new RowBuilder('Errors the backend cannot see'))
    .withPanel(graph('Browser errors per page (last hour)', 'Browser spans marked as errors (JS errors, unhandled rejections, clicks whose handler threw), per page and span.', 'short', prom(`sum by (page_path, span_name) (increase(rum_calls_total{${ERR}}[1h])) or vector(0)`, '{{page_path}} {{span_name}}')))
    .withPanel(graph('API calls that failed in the browser (last hour)', 'Fetches of the storefront that got a 4xx/5xx or no answer (status 0), per call and status, as the customer saw them.', 'short', prom(`sum by (span_name, http_response_status_code) (increase(rum_calls_total{${CALLS},http_response_status_code=~"[45]..|0"}[1h])) or vector(0)`, '{{span_name}} {{http_response_status_code}}')))
    .withRow(new RowBuilder('Web vitals'))
    .withPanel(graph('Web vitals p75 (last hour)', 'LCP and INP in ms; CLS ×1000 (a web-vital span lasts its value). Good: LCP ≤ 2500 ms, INP ≤ 200 ms, CLS ≤ 100 here.', 'ms', prom('histogram_quantile(0.75, sum by (le, span_name) (increase(rum_duration_milliseconds_bucket{span_name=~"web-vital .*"}[1h])))', '{{span_name}}')))
    .withPanel(graph('Page loads and their p75 (last hour)', 'The document-load spans: how many, and how long the page took to load.', 'ms', prom('histogram_quantile(0.75, sum by (le) (increase(rum_duration_milliseconds_bucket{span_name="documentLoad"}[1h])))', 'p75 load')))
    .withRow(new RowBuilder('Orders'))
    .withPanel(number('Orders started (last hour)', 'Clicks on "Start an order" that succeeded.', 'short', promNow(`${calls(`span_name="click start-order",status_code!="STATUS_CODE_ERROR"`)} or vector(0)`)))
    .withPanel(number('Orders placed (last hour)', 'Clicks on "Place order" that succeeded.', 'short', promNow(`${calls(`span_name="click place-order",status_code!="STATUS_CODE_ERROR"`)} or vector(0)`)))
    .withPanel(number('Started but not placed (last hour)', 'The abandonment the business worries about: orders customers started and never placed (a broken button shows here first).', 'short', promNow(`clamp_min((${calls(`span_name="click start-order",status_code!="STATUS_CODE_ERROR"`)} or vector(0)) - (${calls(`span_name="click place-order",status_code!="STATUS_CODE_ERROR"`)} or vector(0)), 0)`)))
    .withPanel(number('"Place order" clicks that failed (last hour)', 'Clicks on "Place order" whose handler threw or whose call failed.', 'short', promNow(`${calls(`span_name="click place-order",${ERR}`)} or vector(0)`)));
