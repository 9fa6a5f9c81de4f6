export const crmRoutes = 'crm';
