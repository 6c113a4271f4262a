"""Supervision (督办): the park's metrics for supervisors, admins and task-force leads."""
